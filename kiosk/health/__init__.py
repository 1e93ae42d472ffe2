"""Health of a kiosk for IT: the report and its rules (``report``), the Prometheus textfile
(``prometheus``), network reachability (``reachability``) and ``kiosk health`` (``commands``)."""
