"""The staff admin screen: the PIN (``pin``), the hidden gesture (``gesture``), the USB folder (``usb``),
the behaviour wired to the kiosk (``controller``) and ``kiosk admin hash-pin`` (``commands``)."""
