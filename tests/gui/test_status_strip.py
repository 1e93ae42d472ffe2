"""The bottom strip says honestly, and calmly, whether requests are waiting to be sent."""

from __future__ import annotations

from tests.gui.conftest import RECEIVER_TOKEN
from tests.gui.test_form import _fill, _tap


def _send_one(qtbot, kiosk) -> None:
    kiosk.navigator.home()
    kiosk.window.top_bar.consult_button.click()
    _fill(qtbot, kiosk, "Strip Patient", "DE", "030 1234567", "40")
    _tap(qtbot, kiosk.form.consent)
    _tap(qtbot, kiosk.form.send_button)
    assert kiosk.window.current_screen() == "done"


def test_waiting_requests_are_shown_while_offline(qtbot, make_kiosk, keys):
    kiosk = make_kiosk(delivery__hospital_public_key=keys[1])  # no endpoint: nothing can leave
    kiosk.finish_startup()
    strip = kiosk.window.status_strip
    assert not strip.isVisible(), "nothing waits on a fresh kiosk"
    _send_one(qtbot, kiosk)
    qtbot.waitUntil(lambda: strip.isVisible(), timeout=5000)
    assert strip.waiting == 1
    assert strip.label.text() == "1 request is saved on this kiosk and will be sent automatically."
    _send_one(qtbot, kiosk)
    qtbot.waitUntil(lambda: strip.waiting == 2, timeout=5000)
    assert "2 requests are saved" in strip.label.text()
    kiosk.translator.set_language("ru")
    assert "2" in strip.label.text() and "автоматически" in strip.label.text()
    kiosk.translator.set_language("ar")
    assert strip.label.text() != "" and "request" not in strip.label.text()


def test_the_strip_disappears_once_the_hospital_has_the_request(qtbot, make_kiosk, keys, receiver):
    kiosk = make_kiosk(delivery__hospital_public_key=keys[1], delivery__endpoint=receiver.url,
                       delivery__token=RECEIVER_TOKEN)
    kiosk.finish_startup()
    _send_one(qtbot, kiosk)
    qtbot.waitUntil(lambda: receiver.ingestor.store.count() == 1, timeout=10000)
    qtbot.waitUntil(lambda: not kiosk.window.status_strip.isVisible(), timeout=5000)
    assert kiosk.window.status_strip.waiting == 0
    qtbot.waitUntil(lambda: "has been sent" in kiosk.done.delivery.text(), timeout=5000)
