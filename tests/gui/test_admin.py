"""The admin screen as staff use it: the corner gesture, the PIN pad, the health panel and its actions,
on real widgets, the kiosk's real outbox file and a real bundle store."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from nacl.signing import SigningKey
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from kiosk import paths
from kiosk.admin.pin import hash_pin
from kiosk.bundle.manifest import load_manifest
from kiosk.outbox.store import OutboxError
from kiosk.session.navigator import Screen
from tests.unit.test_bundle_support import build, make_content
from tests.unit.test_health import fill_outbox

PIN = "2468"
PIN_HASH = hash_pin(PIN, n=2**8)  # small scrypt parameters: the same format and check, quicker tests
HOLD = 0.3
SHIPPED = load_manifest(paths.shipped_content_dir())


@pytest.fixture
def usb(tmp_path: Path) -> Path:
    folder = tmp_path / "media" / "staff" / "USB STICK"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def admin_kiosk(make_kiosk, keys, usb):
    def factory(**overrides):
        settings = {"admin__pin_hash": PIN_HASH, "admin__hold_seconds": HOLD, "admin__usb_folder": str(usb),
                    "delivery__hospital_public_key": keys[1], **overrides}
        kiosk = make_kiosk(**settings)
        kiosk.finish_startup()
        return kiosk
    return factory


def tap(qtbot, widget, pos: QPoint | None = None) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())


def enter_pin(qtbot, kiosk, pin: str) -> None:
    pad = kiosk.admin.screen.pin_pad
    for digit in pin:
        tap(qtbot, pad.keys[digit])
    tap(qtbot, pad.keys["ok"])


def unlock(qtbot, kiosk):
    kiosk.admin.open()
    enter_pin(qtbot, kiosk, PIN)
    assert kiosk.admin.unlocked
    return kiosk.admin.screen.panel


def corner_point(kiosk) -> QPoint:
    """A point on the Home button that is also inside the top-left corner square."""
    button = kiosk.window.top_bar.home_button
    point = QPoint(8, 8)
    assert button.mapTo(kiosk.window, point).x() < 100 and button.mapTo(kiosk.window, point).y() < 100
    return point


# --- the gesture -------------------------------------------------------------------------------------------


def test_holding_the_corner_opens_the_pin_pad_without_clicking_home(qtbot, admin_kiosk):
    kiosk = admin_kiosk()
    kiosk.navigator.open_section(kiosk.navigator.section_ids[1])
    button = kiosk.window.top_bar.home_button
    with qtbot.assertNotEmitted(kiosk.window.top_bar.homeRequested):
        qtbot.mousePress(button, Qt.MouseButton.LeftButton, pos=corner_point(kiosk))
        qtbot.waitUntil(lambda: kiosk.window.current_screen() == Screen.ADMIN.value, timeout=5000)
        qtbot.mouseRelease(button, Qt.MouseButton.LeftButton, pos=corner_point(kiosk))
    assert kiosk.window.current_screen() == Screen.ADMIN.value
    screen = kiosk.admin.screen
    assert screen.pages.currentWidget() is screen.pin_pad and screen.pin_pad.isVisible()
    assert not screen.panel.isVisible() and not kiosk.admin.unlocked
    assert not button.isDown()


def test_a_short_tap_in_the_corner_still_reaches_home(qtbot, admin_kiosk):
    kiosk = admin_kiosk()
    kiosk.navigator.open_section(kiosk.navigator.section_ids[1])
    with qtbot.assertNotEmitted(kiosk.admin.gesture.triggered, wait=int(HOLD * 3000)), \
            qtbot.waitSignal(kiosk.window.top_bar.homeRequested, timeout=2000):
        tap(qtbot, kiosk.window.top_bar.home_button, corner_point(kiosk))
    assert kiosk.window.current_screen() == Screen.HOME.value


def test_a_long_press_elsewhere_does_nothing(qtbot, admin_kiosk):
    kiosk = admin_kiosk()
    kiosk.navigator.home()
    consult = kiosk.window.top_bar.consult_button  # the top-right corner
    with qtbot.assertNotEmitted(kiosk.admin.gesture.triggered, wait=int(HOLD * 3000)):
        qtbot.mousePress(consult, Qt.MouseButton.LeftButton, pos=QPoint(consult.width() - 8, 8))
    qtbot.mouseRelease(consult, Qt.MouseButton.LeftButton, pos=QPoint(consult.width() - 8, 8))
    assert kiosk.window.current_screen() != Screen.ADMIN.value


def test_without_a_pin_hash_there_is_no_admin_screen(qtbot, admin_kiosk):
    kiosk = admin_kiosk(admin__pin_hash="")
    assert not kiosk.admin.enabled
    kiosk.navigator.home()
    with qtbot.assertNotEmitted(kiosk.navigator.changed, wait=int(HOLD * 3000)):
        qtbot.mousePress(kiosk.window.top_bar.home_button, Qt.MouseButton.LeftButton, pos=corner_point(kiosk))
    qtbot.mouseRelease(kiosk.window.top_bar.home_button, Qt.MouseButton.LeftButton, pos=corner_point(kiosk))
    kiosk.admin.open()
    assert Screen.ADMIN.value not in kiosk.window.screens


# --- the PIN -------------------------------------------------------------------------------------------------


def test_the_pin_is_shown_as_dots_and_the_right_one_unlocks(qtbot, admin_kiosk):
    kiosk = admin_kiosk()
    kiosk.admin.open()
    pad = kiosk.admin.screen.pin_pad
    for digit in PIN[:3]:
        tap(qtbot, pad.keys[digit])
    assert pad.dots.text().count("\u25cf") == 3 and not any(d in pad.dots.text() for d in PIN)
    tap(qtbot, pad.keys["delete"])
    assert pad.dots.text().count("\u25cf") == 2
    tap(qtbot, pad.keys[PIN[2]])
    tap(qtbot, pad.keys[PIN[3]])
    tap(qtbot, pad.keys["ok"])
    assert kiosk.admin.unlocked
    assert kiosk.admin.screen.panel.isVisible()


def test_wrong_pins_lock_the_pad_and_the_lockout_survives_a_restart(qtbot, admin_kiosk):
    kiosk = admin_kiosk()
    kiosk.admin.open()
    pad = kiosk.admin.screen.pin_pad
    enter_pin(qtbot, kiosk, "1111")
    assert "Wrong PIN" in pad.message.text() and pad.keys["1"].isEnabled()
    enter_pin(qtbot, kiosk, "1112")
    enter_pin(qtbot, kiosk, "1113")
    assert "Too many wrong PINs" in pad.message.text() and "30 seconds" in pad.message.text()
    assert not any(button.isEnabled() for button in pad.keys.values())
    enter_pin(qtbot, kiosk, PIN)
    assert not kiosk.admin.unlocked, "a disabled pad takes no PIN"
    # The kiosk is restarted: a new controller reads the lock-out from the data directory.
    again = admin_kiosk()
    assert again.admin is not kiosk.admin
    again.admin.open()
    new_pad = again.admin.screen.pin_pad
    assert "Too many wrong PINs" in new_pad.message.text()
    assert not new_pad.keys["2"].isEnabled()
    again.admin.gate.attempt(PIN)
    assert not again.admin.unlocked


def test_cancel_and_close_go_back_to_the_start_and_lock_again(qtbot, admin_kiosk):
    kiosk = admin_kiosk()
    kiosk.admin.open()
    tap(qtbot, kiosk.admin.screen.pin_pad.cancel_button)
    assert kiosk.navigator.screen is Screen.ATTRACT
    panel = unlock(qtbot, kiosk)
    tap(qtbot, panel.close_button)
    assert kiosk.navigator.screen is Screen.ATTRACT and not kiosk.admin.unlocked
    assert all(not label.text() for label in panel.values.values()), "the figures are forgotten"
    kiosk.admin.open()
    assert kiosk.admin.screen.pages.currentWidget() is kiosk.admin.screen.pin_pad


def test_the_idle_reset_leaves_the_admin_screen(qtbot, admin_kiosk):
    kiosk = admin_kiosk()
    unlock(qtbot, kiosk)
    assert kiosk.idle._enabled, "the admin screen counts as a visit: idle time ends it"
    kiosk.idle.expired.emit()
    assert kiosk.navigator.screen is Screen.ATTRACT and not kiosk.admin.unlocked


def test_actions_do_nothing_without_the_pin(qtbot, admin_kiosk, usb):
    kiosk = admin_kiosk()
    kiosk.admin.open()
    kiosk.admin.export_to_usb()
    kiosk.admin.roll_back()
    kiosk.admin.exit_kiosk()
    assert list(usb.iterdir()) == []
    assert kiosk.window.isVisible() and kiosk.outbox.status() is not None


# --- the panel and its actions ---------------------------------------------------------------------------------


def test_health_panel_shows_the_real_outbox(qtbot, admin_kiosk, keys):
    fill_outbox(keys[1])
    kiosk = admin_kiosk()
    panel = unlock(qtbot, kiosk)
    values = {key: label.text() for key, label in panel.values.items()}
    assert (values["queued"], values["sending"], values["needs_attention"], values["delivered"]) == ("2", "0", "1", "1")
    assert values["oldest"] == "5 hours ago"
    assert "HTTP 401 Unauthorized" in values["last_error"]
    assert values["last_delivery"] != "never"
    assert "needs attention" in values["status"] and "300 minutes" in values["status"]
    assert SHIPPED.bundle_id in values["content"] and f"version {SHIPPED.version}" in values["content"]
    assert values["languages"] == "en, tr, ar, fa, ru, de, fr, uk"
    assert values["disk"].endswith("GB")
    assert values["network"] in ("online", "hospital network only", "local network only", "disconnected", "unknown")


def test_export_to_the_usb_folder(qtbot, admin_kiosk, keys, usb):
    fill_outbox(keys[1])
    kiosk = admin_kiosk(delivery__kiosk_id="lobby-2")
    panel = unlock(qtbot, kiosk)
    tap(qtbot, panel.export_button)
    [export] = list(usb.iterdir())
    assert export.name.startswith("kiosk-export-lobby-2-")
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["requests"]) == 3 and manifest["kiosk_id"] == "lobby-2"
    assert all((export / entry["file"]).is_file() for entry in manifest["requests"])
    assert panel.result.text() == f"3 requests exported to {export}"


def test_export_without_a_stick_says_so(qtbot, admin_kiosk, tmp_path):
    kiosk = admin_kiosk(admin__usb_folder=str(tmp_path / "no-such-stick"))
    panel = unlock(qtbot, kiosk)
    tap(qtbot, panel.export_button)
    assert "does not exist" in panel.result.text()


def test_install_refuse_and_roll_back_a_bundle_from_usb(qtbot, admin_kiosk, tmp_path, usb):
    key = SigningKey.generate()
    trusted = base64.b64encode(bytes(key.verify_key)).decode("ascii")
    kiosk = admin_kiosk(bundles__trusted_keys=[trusted])
    newer = SHIPPED.version + 5
    build(make_content(tmp_path / "c", version=newer, bundle_id=SHIPPED.bundle_id), key, usb / "edition.kbundle")
    panel = unlock(qtbot, kiosk)
    tap(qtbot, panel.install_button)
    assert panel.result.text() == f"Installed {SHIPPED.bundle_id} version {newer} from edition.kbundle."
    assert f"version {newer}" in panel.values["content"].text()
    assert "installed bundle" in panel.values["content"].text()

    # A newer file signed by an unknown key: refused, and the reason is shown in words.
    forged = usb / "forged.kbundle"
    build(make_content(tmp_path / "f", version=newer + 1, bundle_id=SHIPPED.bundle_id), SigningKey.generate(), forged)
    later = (usb / "edition.kbundle").stat().st_mtime + 10
    os.utime(forged, (later, later))
    tap(qtbot, panel.install_button)
    assert panel.result.text().startswith("forged.kbundle was not installed: ")
    assert f"version {newer}" in panel.values["content"].text()
    assert "forged.kbundle" in panel.values["bundle_event"].text()

    tap(qtbot, panel.rollback_button)
    assert panel.result.text() == f"Rolled back: now showing {SHIPPED.bundle_id} version {SHIPPED.version}."
    assert "shipped with the kiosk" in panel.values["content"].text()
    tap(qtbot, panel.rollback_button)
    assert panel.result.text().startswith("Nothing was rolled back: ")


def test_send_now_without_an_endpoint_says_requests_stay(qtbot, admin_kiosk, keys):
    fill_outbox(keys[1])
    kiosk = admin_kiosk()
    panel = unlock(qtbot, kiosk)
    tap(qtbot, panel.send_button)
    assert "No delivery address" in panel.result.text()


def test_exit_shuts_the_kiosk_down(qtbot, config, keys):
    from kiosk.app import build_kiosk

    kiosk = build_kiosk(config.with_overrides(admin__pin_hash=PIN_HASH, delivery__hospital_public_key=keys[1]),
                        kiosk_mode=False)
    kiosk.window.show()
    qtbot.waitExposed(kiosk.window)
    kiosk.finish_startup()
    quits = []
    kiosk.admin.quit_application = lambda: quits.append(True)
    panel = unlock(qtbot, kiosk)
    panel.exit_button.setFocus()
    tap(qtbot, panel.exit_button)
    assert quits == [True]
    assert QApplication.focusWidget() is None
    assert not kiosk.admin.gesture.holding
    with pytest.raises(OutboxError):
        kiosk.outbox.status()  # closed by the shutdown
    assert not kiosk.sender.running


# --- a damaged outbox --------------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["text_file", "wal_frame"])
def test_a_damaged_outbox_leaves_staff_in_charge(qtbot, admin_kiosk, keys, usb, damage):
    from tests.faults.test_outbox_damage import COMMITTED, make_damaged

    make_damaged(damage, paths.home_dir(), keys)
    kiosk = admin_kiosk()
    # Everything but the outbox started: the staff gesture and PIN, the content watcher, health.
    assert kiosk.admin is not None and kiosk.outbox is None and kiosk.outbox_problem is not None
    assert kiosk.bundle_store is not None or kiosk.content_pinned
    assert kiosk.window.top_bar.consult_button.text() == "Consultation: ask at the desk"
    kiosk.navigator.go(Screen.FORM)
    form = kiosk.form
    assert form.unavailable and form.unavailable_notice.isVisible() and not form.send_button.isVisible()
    kiosk._on_form_submitted(form.values())  # a stray submit finds no outbox and says so, not a traceback
    assert kiosk.navigator.screen is Screen.FORM

    panel = unlock(qtbot, kiosk)
    status = panel.values["status"].text()
    assert ("damaged" if damage == "text_file" else "missing") in status and "quarantine" in status
    assert not kiosk.admin.health_report().healthy
    tap(qtbot, panel.export_button)
    [export] = list(usb.iterdir())
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["requests"]) == (0 if damage == "text_file" else COMMITTED)
    assert panel.result.text() == f"{len(manifest['requests'])} requests exported to {export}"
