"""In the browser, on a phone-sized screen: the scan page's camera button and its messages, the
selected text after a failed scan, and real decodes through Chromium's fake camera.

The fake camera plays a Y4M file holding one QR code (written here with segno). Debian's Chromium
on Linux has no built-in QR reader (``BarcodeDetector``), so these decodes go through the vendored
jsQR, which the page loads only when the camera starts.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from core import qr
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, guarded_page
from tests.e2e.conftest import PHONE, oil_filter, sign_in
from tests.factories import LocationFactory

pytestmark = pytest.mark.e2e

BIN_VALUE = "L-E2E-BIN3"
# What the fake camera shows: the bin's value as a phone keyboard might have typed it, so the
# decode also proves that values are matched whatever their case.
SHOWN_VALUE = "l-e2e-bin3"
DECODER = "/static/vendor/jsqr/jsQR.js"


@pytest.fixture
def floor(main_plant):
    """A manager, a hall with a bin that has a label, and a part with stock in the hall."""
    site = main_plant.site
    hall = LocationFactory(site=site, name="Hall")
    bin_3 = LocationFactory(site=site, name="Bin 3", parent=hall, qr_code=BIN_VALUE)
    part = oil_filter(main_plant, hall)
    return type("Floor", (), {"site": site, "hall": hall, "bin": bin_3, "part": part})


def requested(page) -> list[str]:
    """The URLs the page asks for from now on."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


# --- The scan page, any browser ------------------------------------------------------------------


def test_the_scan_page_shows_the_camera_button_and_loads_no_decoder_until_it_is_used(
    page, live_server, floor
):
    sign_in(page, live_server, "mona")
    urls = requested(page)
    page.goto("/scan/")
    camera = page.get_by_role("button", name="Scan with camera")
    expect(camera).to_be_visible()
    box = camera.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    expect(page.get_by_label("QR value")).to_be_focused()
    assert not [url for url in urls if url.endswith(DECODER)]


def test_after_a_failed_scan_the_text_is_selected_so_the_next_scan_replaces_it(
    page, live_server, floor
):
    sign_in(page, live_server, "mona")
    page.goto("/scan/")
    box = page.get_by_label("QR value")
    box.fill("L-NOPE")
    box.press("Enter")  # what a barcode scanner does after typing the value

    expect(page.get_by_role("alert").filter(has_text="Nothing at this site")).to_be_visible()
    expect(page.get_by_test_id("scan-form")).to_have_attribute("data-scan-ready", "")  # script ran
    expect(box).to_be_focused()
    selection = box.evaluate("el => [el.selectionStart, el.selectionEnd, el.value.length]")
    assert selection == [0, 6, 6]
    page.keyboard.type(BIN_VALUE.lower())  # the next scan replaces the failed one
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/locations/{floor.bin.pk}/")


def scan_with_a_camera_that(page, live_server, init_script: str):
    """Sign in, let ``init_script`` set up what the browser's camera does, and press "Scan with
    camera" on the scan page; returns that button."""
    sign_in(page, live_server, "mona")
    page.add_init_script(init_script)
    page.goto("/scan/")
    camera = page.get_by_role("button", name="Scan with camera")
    camera.click()
    return camera


def refuses(name: str, message: str) -> str:
    """An init script whose ``getUserMedia`` fails with the ``DOMException`` ``name``."""
    return (
        "navigator.mediaDevices.getUserMedia = () =>"
        f" Promise.reject(new DOMException('{message}', '{name}'));"
    )


def test_without_a_secure_connection_the_camera_says_https_is_needed(page, live_server, floor):
    scan_with_a_camera_that(
        page, live_server, "Object.defineProperty(window, 'isSecureContext', {value: false})"
    )
    expect(page.get_by_role("alert")).to_contain_text("secure connection")
    expect(page.get_by_role("alert")).to_contain_text("https://")


def test_a_refused_camera_permission_is_explained(page, live_server, floor):
    scan_with_a_camera_that(page, live_server, refuses("NotAllowedError", "Permission denied"))
    expect(page.get_by_role("alert")).to_contain_text("Camera access was refused")
    expect(page.locator("video")).to_be_hidden()


def test_a_device_without_a_camera_is_told_so(page, live_server, floor):
    scan_with_a_camera_that(
        page, live_server, refuses("NotFoundError", "Requested device not found")
    )
    expect(page.get_by_role("alert")).to_have_text(str(qr.SCANNER_MESSAGES["noCamera"]))


# A camera that shows grey: the video plays and nothing is ever read.
GREY_CAMERA = """
navigator.mediaDevices.getUserMedia = () => {
  const canvas = document.createElement("canvas");
  canvas.width = 640;
  canvas.height = 480;
  const context = canvas.getContext("2d");
  context.fillStyle = "#888";
  context.fillRect(0, 0, 640, 480);
  window.__camera = canvas.captureStream(5);
  return Promise.resolve(window.__camera);
};
"""


def camera_is_on(page) -> bool:
    return page.evaluate("window.__camera.getTracks().some(t => t.readyState === 'live')")


def test_stop_and_hiding_the_page_let_go_of_the_camera(page, live_server, floor):
    camera = scan_with_a_camera_that(page, live_server, GREY_CAMERA)
    expect(page.get_by_role("status")).to_have_text("Point the camera at a QR code.")
    expect(page.locator("video")).to_be_visible()
    assert camera_is_on(page)

    page.get_by_role("button", name="Stop camera").click()
    expect(page.locator("video")).to_be_hidden()
    assert not camera_is_on(page)
    expect(camera).to_be_focused()

    camera.click()
    expect(page.locator("video")).to_be_visible()
    page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
        " document.dispatchEvent(new Event('visibilitychange'));"
    )
    expect(page.locator("video")).to_be_hidden()
    assert not camera_is_on(page)


def test_the_transfer_forms_destination_has_a_scan_button_next_to_it(page, live_server, floor):
    sign_in(page, live_server, "mona")
    page.goto(f"/parts/{floor.part.pk}/")
    page.get_by_test_id("stock-transfer").first.click()  # the form arrives by HTMX
    panel = page.get_by_test_id("transfer-panel")
    scan = panel.get_by_role("button", name="Scan a label for “To location”")
    expect(scan).to_be_visible()
    assert scan.bounding_box()["height"] >= 44
    select = panel.get_by_role("combobox", name="To location")
    assert select.bounding_box()["x"] + select.bounding_box()["width"] <= PHONE["width"]


# --- Real decodes through a fake camera -----------------------------------------------------------


def write_y4m(path: Path, data: str, *, width: int = 640, height: int = 480) -> None:
    """A short video of the QR code for ``data``, black on white in the middle of the frame."""
    matrix = qr.qr_code(data).matrix
    border = qr.QUIET_ZONE
    size = len(matrix) + 2 * border
    scale = min(width, height) * 3 // 4 // size
    left, top = (width - size * scale) // 2, (height - size * scale) // 2
    luma = bytearray([235]) * (width * height)  # video white
    for row, modules in enumerate(matrix):
        for column, dark in enumerate(modules):
            if not dark:
                continue
            y0 = top + (row + border) * scale
            x0 = left + (column + border) * scale
            for y in range(y0, y0 + scale):
                luma[y * width + x0 : y * width + x0 + scale] = bytes([16]) * scale  # video black
    chroma = bytes([128]) * (width // 2 * height // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * 10)


@pytest.fixture(scope="module")
def camera_browser(browser, tmp_path_factory):
    """A second Chromium (same Playwright) whose camera shows the bin's label and which grants
    camera access without asking."""
    video = tmp_path_factory.mktemp("fake-camera") / "bin-label.y4m"
    write_y4m(video, SHOWN_VALUE)
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    yield chromium
    chromium.close()


@pytest.fixture
def camera_page(camera_browser, live_server, request):
    """A page of the fake-camera browser, held to the same rules as the ``page`` fixture:
    nothing loaded from outside the live server, no uncaught JavaScript error."""
    with guarded_page(camera_browser, live_server, request, timeout=15_000) as page:
        yield page


def test_the_camera_reads_a_label_and_opens_the_bin(camera_page, live_server, floor):
    page = camera_page
    sign_in(page, live_server, "mona")
    urls = requested(page)
    page.goto("/scan/")
    page.get_by_role("button", name="Scan with camera").click()
    video = page.locator("video")
    expect(video).to_be_visible()
    assert video.bounding_box()["width"] <= PHONE["width"]

    expect(page).to_have_url(f"{live_server.url}/locations/{floor.bin.pk}/", timeout=20_000)
    assert [url for url in urls if url.endswith(DECODER)]  # no built-in reader here: jsQR read it


def test_scanning_a_bin_picks_the_transfer_destination(camera_page, live_server, floor):
    page = camera_page
    sign_in(page, live_server, "mona")
    page.goto(f"/parts/{floor.part.pk}/")
    page.get_by_test_id("stock-transfer").first.click()
    panel = page.get_by_test_id("transfer-panel")
    destination = panel.get_by_role("combobox", name="To location")
    destination.evaluate(
        "el => el.addEventListener('change', () => { window.__changed = el.value; })"
    )
    panel.get_by_role("button", name="Scan a label for “To location”").click()

    expect(panel.get_by_role("status").filter(has_text="Selected")).to_have_text(
        f"Selected {floor.bin.path}.", timeout=20_000
    )
    expect(destination).to_have_value(str(floor.bin.pk))
    assert page.evaluate("window.__changed") == str(floor.bin.pk)  # listeners were told
    expect(panel.locator("video")).to_be_hidden()  # the camera is let go once the bin is picked
    expect(destination).to_be_focused()

    panel.get_by_role("button", name="Move stock").click()
    expect(panel.get_by_role("status")).to_contain_text(f"to {floor.bin.path}")


def test_a_scanned_bin_the_picker_does_not_offer_is_refused_and_the_camera_stays_on(
    camera_page, live_server, floor
):
    # A location cannot go inside itself: its own label is no answer to "Inside".
    page = camera_page
    sign_in(page, live_server, "mona")
    page.goto(f"/locations/{floor.bin.pk}/edit/")
    parent = page.get_by_role("combobox", name="Inside")
    before = parent.input_value()
    page.get_by_role("button", name="Scan a label for “Inside”").click()

    expect(page.get_by_role("alert").filter(has_text="cannot be chosen here")).to_have_text(
        f"{floor.bin.path} cannot be chosen here.", timeout=20_000
    )
    expect(parent).to_have_value(before)
    expect(page.locator("video")).to_be_visible()  # ready for the right label
    page.get_by_role("button", name="Stop camera").click()
    expect(page.locator("video")).to_be_hidden()
