"""Fixtures for the kiosk under cage (tests/e2e/cage_session.py): a runtime the compositor's user can run,
the output size as a parameter, and kiosks started through scenario steps and always cleaned up."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator

import pytest

from tests.e2e.cage_session import (
    HEADLESS_SIZE,
    Account,
    CageError,
    CageKiosk,
    Runtime,
    compositor_account,
    missing_tools,
    prepare_runtime,
)

# 1280x720 is the headless backend's own output; the others are made on an X server (see cage_session).
OUTPUT_SIZES = [HEADLESS_SIZE, (1920, 1080), (1080, 1920)]


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.fixture(scope="session")
def cage_runtime() -> Iterator[tuple[Account, Runtime]]:
    """The compositor's account and the kiosk's Python as that account can run it (staged if need be)."""
    account = compositor_account()
    if isinstance(account, str):
        pytest.skip(account)
    try:
        runtime = prepare_runtime(account)
    except CageError as error:
        pytest.fail(str(error))
    yield account, runtime
    if runtime.stage is not None:
        shutil.rmtree(runtime.stage, ignore_errors=True)


@pytest.fixture(scope="module", params=OUTPUT_SIZES, ids=size_id)
def output_size(request: pytest.FixtureRequest) -> tuple[int, int]:
    """The compositor's output size; a test may narrow it with ``@pytest.mark.parametrize("output_size", ...,
    indirect=True)``."""
    missing = missing_tools()
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (scripts/setup --dev installs them)")
    return request.param


@pytest.fixture
def cage_kiosk(cage_runtime: tuple[Account, Runtime], output_size: tuple[int, int]
               ) -> Iterator[Callable[[list[str]], CageKiosk]]:
    """Start the kiosk under cage through the driver's steps: ``session = cage_kiosk(["start:ar"])``, then
    ``session.wait_ready()``, ``session.screenshot(path)``, ``session.next()``. Stopped and removed after the
    test whatever happened."""
    started: list[CageKiosk] = []

    def start(steps: list[str]) -> CageKiosk:
        session = CageKiosk(*cage_runtime, output_size, headless=output_size == HEADLESS_SIZE)
        started.append(session)
        return session.start(steps)

    yield start
    for session in started:
        session.close()
