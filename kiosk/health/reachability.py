"""Can this kiosk reach the network? Qt's QNetworkInformation says, when a backend for it loads.

Only a hint for people: a delivered request is the only proof that the hospital can be reached.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

UNKNOWN = "unknown"


def current_reachability() -> str:
    """``online``, ``site``, ``local``, ``disconnected`` or ``unknown`` (no backend, no application)."""
    try:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtNetwork import QNetworkInformation

        if QCoreApplication.instance() is None:
            return UNKNOWN
        information = QNetworkInformation.instance()
        if information is None:
            if not QNetworkInformation.loadDefaultBackend():
                return UNKNOWN
            information = QNetworkInformation.instance()
        if information is None:
            return UNKNOWN
        reachability = information.reachability()
    except Exception as error:  # a hint only: never let it fail a health check
        log.info("network reachability unavailable: %s", type(error).__name__)
        return UNKNOWN
    names = {
        QNetworkInformation.Reachability.Online: "online",
        QNetworkInformation.Reachability.Site: "site",
        QNetworkInformation.Reachability.Local: "local",
        QNetworkInformation.Reachability.Disconnected: "disconnected",
    }
    return names.get(reachability, UNKNOWN)
