"""OCR for pages without a text layer: Tesseract's words become :class:`~extractor.pdf.Word`s.

A page whose text layer is empty but which shows an image (a scan) is rendered with
pypdfium2 and read by the ``tesseract`` command (Debian ``tesseract-ocr`` and
``tesseract-ocr-por``) in hOCR form: every word with its box and confidence, every
line with its baseline slope and text size (``x_size``). Pages that have text are
never OCR'd again, so a mixed PDF only pays for its scanned pages.

What the later stages need from a word, OCR gives as follows:

- box: Tesseract's pixel box, divided by the render scale, so a fact's bbox is in
  the same points (top-left origin) the review page draws on; like a text layer's
  word it is one font size high, sitting on its line's baseline;
- size: the line's ``x_size`` (Tesseract's estimate of ascender-to-descender height,
  close to the font size), or on a line in capitals the height of its plain
  capitals' glyph boxes; snapped to the document's few sizes so that a title 1.15
  times the body size still reads as such;
- bold: the words' stroke width (the median run of dark pixels across a row) over
  their size, against the document's regular stroke;
- reading frame: a page scanned sideways is turned upright first (Tesseract's
  orientation detection, tried only when a first pass reads poorly), and a slightly
  skewed scan is straightened from the lines' baselines, so layout sees level
  lines. Each page keeps the transform back to the page as printed
  (:class:`Frame`), which maps every fact's box before it is reported.

Words read by OCR are :class:`OcrWord` (a ``Word`` with Tesseract's confidence);
facts built on them are named ``<extractor>.ocr`` and their confidence is
multiplied by their words' mean OCR confidence (see :func:`adjust`).

Settings: ``RELATO_OCR`` = ``auto`` (default) or ``off``; ``RELATO_OCR_PAGE_TIMEOUT_S``
(default 30): the most one page's Tesseract run may take, and the time each scanned
page adds to the extraction's limit (``RELATO_EXTRACT_TIMEOUT_S``, see
:func:`extractor.limits.allow_more`); ``RELATO_TESSERACT``: the ``tesseract`` to run
(default: the one on PATH); ``RELATO_OCR_WORKERS`` (default: the CPUs this process may
use): how many pages are read at once. Each Tesseract runs with one thread, as a child
that dies with the extraction process (and is killed when the extraction stops early),
under its memory limit. Pages are read side by side from threads of this process that
each wait on their Tesseract: the work is in the children, and the extraction's limits
and the children it must kill stay in one process.

A word that looks numeric and was read unsure is read a second time from its crop
(:func:`_reread_numbers`); a number read poorly both times marks its fact doubtful.
"""

from __future__ import annotations

import ctypes
import logging
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from extractor import limits, progress
from extractor.errors import BadPDF
from extractor.pdf import Page, Word

log = logging.getLogger(__name__)

PACKAGES = "tesseract-ocr tesseract-ocr-por"
INSTALL_HINT = f"to read scans, install it with its Portuguese data: apt-get install {PACKAGES}"
LANG = "por"
PSM = "4"  # one column of text of varying sizes: keeps table rows whole (3 drops lone digits)
READ_ARGS = ["-l", LANG, "--psm", PSM, "-c", "hocr_char_boxes=1", "hocr"]  # glyph boxes: sizes
DPI = 200                 # render resolution: 9 pt text is 25 px high, plenty for Tesseract
MAX_SIDE_PX = 7000        # a huge page is rendered smaller rather than at DPI
MIN_WORD_CONF = 10.0      # a short "word" Tesseract is less sure of (0-100) is noise; a long
                          # one is kept (it gives a URL 0 as readily as a speck)
UNSURE_CONF = 50.0        # below this, a sign without letters or digits, or a lone short
                          # word on its line (a logo's fleck, a page number misread), is noise
RETRY_CONF = 70.0         # a first pass this unsure, or this empty, tries the page's orientation
MIN_SKEW_DEG = 0.2        # straighten lines tilted more than this
DEFAULT_PAGE_TIMEOUT_S = 30.0
DESCENT = 0.22           # share of the font size below the baseline in a word's box
SIZE_WINDOW = 0.07        # line sizes this close (relative) are one size
BOLD_STROKE_RATIO = 1.3   # stroke this much wider than the document's regular stroke: bold


def mode(env: dict[str, str] | None = None) -> str:
    """RELATO_OCR: ``auto`` (OCR image-only pages when Tesseract is installed) or ``off``."""
    raw = (os.environ if env is None else env).get("RELATO_OCR", "").strip().lower() or "auto"
    if raw not in ("auto", "off"):
        raise ValueError(f"RELATO_OCR must be auto or off, not {raw!r}")
    return raw


def workers(env: dict[str, str] | None = None) -> int:
    """RELATO_OCR_WORKERS: Tesseracts run at once on one report's pages (default: the
    CPUs this process may use). Each is a child under the extraction's memory limit."""
    default = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    value = int(limits._env_number("RELATO_OCR_WORKERS", default, env))
    return max(value, 1)


def page_timeout_s(env: dict[str, str] | None = None) -> float:
    """RELATO_OCR_PAGE_TIMEOUT_S: one page's OCR limit and its allowance in the extraction's."""
    return limits._env_number("RELATO_OCR_PAGE_TIMEOUT_S", DEFAULT_PAGE_TIMEOUT_S, env)


# --- geometry: the page's reading frame -------------------------------------------------

Affine = tuple[float, float, float, float, float, float]  # x = a*u + b*v + c, y = d*u + e*v + f
IDENTITY: Affine = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)


def _compose(outer: Affine, inner: Affine) -> Affine:
    """outer(inner(p))."""
    a, b, c, d, e, f = outer
    p, q, r, s, t, u = inner
    return (a * p + b * s, a * q + b * t, a * r + b * u + c,
            d * p + e * s, d * q + e * t, d * r + e * u + f)


@dataclass(frozen=True, slots=True)
class Frame:
    """Maps boxes from a page's reading frame (upright, level) to the page as printed."""

    to_page: Affine
    width: float   # the printed page, in points
    height: float

    def box(self, bbox: Sequence[float]) -> tuple[float, float, float, float]:
        x0, top, x1, bottom = bbox
        a, b, c, d, e, f = self.to_page
        xs, ys = [], []
        for u, v in ((x0, top), (x1, top), (x0, bottom), (x1, bottom)):
            xs.append(a * u + b * v + c)
            ys.append(d * u + e * v + f)
        clamp_x = lambda x: min(max(x, 0.0), self.width)  # noqa: E731
        clamp_y = lambda y: min(max(y, 0.0), self.height)  # noqa: E731
        return (round(clamp_x(min(xs)), 2), round(clamp_y(min(ys)), 2),
                round(clamp_x(max(xs)), 2), round(clamp_y(max(ys)), 2))


@dataclass(frozen=True, slots=True)
class OcrWord(Word):
    """A word read by OCR: ``conf`` is Tesseract's confidence (0-100); ``frame`` maps its
    page's reading frame back to the printed page."""

    conf: float = 0.0
    frame: Frame | None = None
    doubtful: bool = False  # a number read twice (see _reread_numbers), poorly both times


@dataclass(frozen=True, slots=True)
class OcrPage(Page):
    """A scanned page read by OCR; ``words`` are in its reading frame (``width``/``height``)."""

    frame: Frame | None = None


# --- facts on OCR'd words ---------------------------------------------------------------

def adjust(words: Sequence[Word], bbox: tuple[float, float, float, float], extractor: str,
           confidence: float) -> tuple[tuple[float, float, float, float], str, float]:
    """A fact's bbox, extractor name and confidence, given the words it was read from."""
    ocr = [w for w in words if isinstance(w, OcrWord)]
    if not ocr:
        return bbox, extractor, confidence
    frame = ocr[0].frame
    if frame is not None:
        bbox = frame.box(bbox)
    mean = sum(w.conf for w in ocr) / len(ocr)
    return bbox, f"{extractor}.ocr", confidence * mean / 100.0


def doubtful_number(words: Sequence[Word]) -> bool:
    """Whether a fact's words hold a number OCR read poorly twice (see _reread_numbers)."""
    return any(isinstance(w, OcrWord) and w.doubtful for w in words)


# --- Tesseract --------------------------------------------------------------------------

class OcrUnavailable(Exception):
    """Tesseract or its Portuguese data is missing; the message says what to install."""


def _tesseract() -> str:
    exe = os.environ.get("RELATO_TESSERACT") or shutil.which("tesseract")
    if not exe or not os.access(exe, os.X_OK):
        raise OcrUnavailable(f"Tesseract (OCR) is not installed; {INSTALL_HINT}")
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30,
                               env=_env()).stdout.split()
    except (OSError, subprocess.SubprocessError) as exc:
        raise OcrUnavailable(f"Tesseract could not be run ({exc}); {INSTALL_HINT}") from None
    if LANG not in langs:
        raise OcrUnavailable(f"Tesseract has no Portuguese data; {INSTALL_HINT}")
    return exe


def _env() -> dict[str, str]:
    # One thread per Tesseract: its OpenMP threads spin and cost more than they save,
    # and the machine's cores belong to the service's other workers.
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _prctl():  # noqa: ANN202 - a ctypes function, resolved once in the parent
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()  # resolved here, not in the child: no dlopen between fork and exec


def _die_with_parent() -> None:
    """In the Tesseract child: get SIGKILL when the extraction process dies (timeout kill)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class _Children:
    """The Tesseract processes running now, so an extraction that ends early (its deadline,
    an error on another page) kills every one of them before it returns."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen] = set()
        self.closed = False

    def start(self, cmd: list[str]) -> subprocess.Popen:
        with self._lock:
            if self.closed:
                raise RuntimeError("the extraction was stopped")
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
                                    preexec_fn=_die_with_parent)
            self._procs.add(proc)
            return proc

    def done(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._procs.discard(proc)

    def kill_all(self) -> None:
        with self._lock:
            self.closed = True
            procs, self._procs = list(self._procs), set()
        for proc in procs:
            proc.kill()
            proc.wait()

    @contextmanager
    def session(self) -> Iterator[None]:
        """One extraction's OCR: whatever way it ends, no Tesseract outlives it."""
        with self._lock:
            self.closed = False
        try:
            yield
        finally:
            self.kill_all()


_CHILDREN = _Children()


def _run(exe: str, image: Path, args: list[str], timeout: float, dpi: float = DPI) -> str:
    cmd = [exe, str(image), "stdout", "--dpi", str(round(dpi)), *args]
    proc = _CHILDREN.start(cmd)
    try:
        out, err = proc.communicate(timeout=timeout or None)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise TimeoutError(f"Tesseract took longer than {timeout:g} s "
                           "(RELATO_OCR_PAGE_TIMEOUT_S)") from None
    finally:
        _CHILDREN.done(proc)
    if proc.returncode != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"Tesseract failed ({lines[-1] if lines else proc.returncode})")
    return out.decode("utf-8", "replace")


_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.MULTILINE)


def _orientation(exe: str, image: Path, timeout: float, dpi: float) -> int:
    """Degrees (clockwise) Tesseract's orientation detection says the image must turn."""
    try:
        m = _ROTATE.search(_run(exe, image, ["--psm", "0", "-l", "osd"], timeout, dpi))
    except RuntimeError:  # too little text to tell
        return 0
    return int(m.group(1)) % 360 if m else 0


# --- hOCR -------------------------------------------------------------------------------

@dataclass
class _Line:
    bbox: tuple[int, int, int, int]
    slope: float
    offset: float
    size_px: float
    words: list[tuple[str, tuple[int, int, int, int], float]]
    glyphs: list[tuple[str, tuple[int, int, int, int]]]


_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_CONF = re.compile(r"x_wconf (\d+(?:\.\d+)?)")
_BASELINE = re.compile(r"baseline (-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)")
_XSIZE = re.compile(r"x_size (\d+(?:\.\d+)?)")
_GLYPH = re.compile(r"x_bboxes (\d+) (\d+) (\d+) (\d+)")


class _Hocr(HTMLParser):
    """Lines, words and (for sizes) glyph boxes of Tesseract's hOCR output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[_Line] = []
        self._word: list | None = None  # text, bbox, conf
        self._glyph: list | None = None  # text, bbox
        self._depth = 0  # spans open inside the current word

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls, title = a.get("class") or "", a.get("title") or ""
        if self._word is not None and tag == "span":
            self._depth += 1
        box = _BBOX.search(title)
        if cls == "ocrx_cinfo" and self._word is not None:
            glyph = _GLYPH.search(title)
            self._glyph = ["", tuple(int(v) for v in glyph.groups())] if glyph else None
            return
        if box is None:
            return
        bbox = tuple(int(v) for v in box.groups())
        if cls in ("ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat"):
            base, size = _BASELINE.search(title), _XSIZE.search(title)
            self.lines.append(_Line(bbox=bbox, slope=float(base.group(1)) if base else 0.0,  # type: ignore[arg-type]
                                    offset=float(base.group(2)) if base else 0.0,
                                    size_px=float(size.group(1)) if size else bbox[3] - bbox[1],
                                    words=[], glyphs=[]))
        elif cls == "ocrx_word" and self.lines:
            conf = _CONF.search(title)
            self._word, self._depth = ["", bbox, float(conf.group(1)) if conf else 0.0], 0

    def handle_data(self, data: str) -> None:
        if self._word is not None:
            self._word[0] += data.strip()  # a word has no spaces; the glyph spans' indents go
        if self._glyph is not None:
            self._glyph[0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag != "span" or self._word is None:
            return
        if self._depth:
            self._depth -= 1
            if self._glyph is not None:
                text, box = self._glyph
                self._glyph = None
                if text.strip():
                    self.lines[-1].glyphs.append((text.strip(), box))
            return
        text, bbox, conf = self._word
        self._word = None
        if text.strip():
            self.lines[-1].words.append((text.strip(), bbox, conf))


def _parse(hocr: str) -> list[_Line]:
    parser = _Hocr()
    parser.feed(hocr)
    return [ln for ln in parser.lines if ln.words]


def _mean_conf(lines: list[_Line]) -> float:
    confs = [c for ln in lines for _, _, c in ln.words]
    return sum(confs) / len(confs) if confs else 0.0


def _chars(lines: list[_Line]) -> int:
    return sum(len(t) for ln in lines for t, _, c in ln.words if c >= MIN_WORD_CONF)


def _poor(lines: list[_Line]) -> bool:
    """A reading too unsure or too empty to trust: the page may be sideways."""
    return _mean_conf(lines) < RETRY_CONF or _chars(lines) < 20


def _quality(lines: list[_Line]) -> float:
    return _mean_conf(lines) * max(_chars(lines), 1)


# --- one page ---------------------------------------------------------------------------

@dataclass
class _Read:
    """One page's OCR before the document-wide size and weight decisions."""

    number: int
    frame: Frame
    width: float   # reading frame, points
    height: float
    images: int
    # text, (x0, top, x1, bottom) in points of the reading frame, size pt, stroke ratio, conf,
    # and whether it is a number read poorly twice (see _reread_numbers)
    words: list[tuple[str, tuple[float, float, float, float], float, float | None, float, bool]]


def _rotation_affine(turn: int, w: float, h: float) -> Affine:
    """From the image turned `turn` degrees clockwise (w x h before turning) back to it."""
    if turn == 90:   # (X, Y) -> (h - Y, X); back: (U, V) -> (V, h - U)
        return (0.0, 1.0, 0.0, -1.0, 0.0, h)
    if turn == 180:
        return (-1.0, 0.0, w, 0.0, -1.0, h)
    if turn == 270:  # (X, Y) -> (Y, w - X); back: (U, V) -> (w - V, U)
        return (0.0, -1.0, w, 1.0, 0.0, 0.0)
    return IDENTITY


_PLAIN_CAPS = frozenset("ABCDEFGHIKLMNOPRSTUVWXYZ0123456789")  # no accents, no Q or J
CAP_HEIGHT = 0.73  # of the font size, as in common faces


def _line_size(ln: _Line) -> float:
    """A line's font size in pixels: Tesseract's x_size, except on a line in capitals,
    where x_size is 10-15 % off (small without accents, large with them): there the
    median height of its plain capitals' glyph boxes over CAP_HEIGHT."""
    letters = [c for t, _, _ in ln.words for c in t if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return ln.size_px
    caps = [(b[3] - b[1]) / CAP_HEIGHT for t, b in ln.glyphs if t in _PLAIN_CAPS]
    return statistics.median(caps) if len(caps) >= 2 else ln.size_px


def _noise(text: str, conf: float, alone: bool) -> bool:
    """Specks, rules, logos and signatures read as letters."""
    alnum = sum(c.isalnum() for c in text)
    if conf < MIN_WORD_CONF and alnum < 4:
        return True
    return conf < UNSURE_CONF and (alnum == 0 or (alone and alnum <= 3))


_RULES = "[]|{}"  # what Tesseract makes of a table's vertical rules beside a cell's text


def _without_rules(text: str, x0: int, x1: int) -> tuple[str, float, float] | None:
    """A word without the table rules Tesseract read into its ends (``49.068.120,00][``,
    ``[Receita``), its box narrowed by the chars dropped; None when it was only rules."""
    core = text.strip(_RULES)
    if not core:
        return None
    if core == text:
        return text, float(x0), float(x1)
    lead = len(text) - len(text.lstrip(_RULES))
    trail = len(text) - len(text.rstrip(_RULES))
    per_char = (x1 - x0) / len(text)
    return core, x0 + lead * per_char, x1 - trail * per_char


def _skew(lines: list[_Line]) -> float:
    """The text's tilt in radians (positive: lines fall to the right), from long lines."""
    slopes = [ln.slope for ln in lines if len(ln.words) >= 3]
    if len(slopes) < 2:
        return 0.0
    return math.atan(statistics.median(slopes))


def _strokes(gray, words: list[tuple[str, tuple[int, int, int, int], float]]) -> list[float | None]:
    """Median horizontal run of dark pixels in each word's box (None when too small to tell)."""
    import numpy as np

    out: list[float | None] = []
    for _, (x0, y0, x1, y1), _ in words:
        box = gray[y0:y1, x0:x1]
        if box.size == 0 or len(box) < 6:
            out.append(None)
            continue
        dark = box < 128
        padded = np.zeros((dark.shape[0], dark.shape[1] + 2), dtype=np.int8)
        padded[:, 1:-1] = dark
        edges = np.diff(padded, axis=1)
        starts, ends = np.nonzero(edges == 1), np.nonzero(edges == -1)
        runs = ends[1] - starts[1]
        out.append(float(np.median(runs)) if len(runs) >= 8 else None)
    return out


# --- numbers read twice ------------------------------------------------------------------

# A misread number is worse than a missed one: "4º" read "Aº", "1" read "q". A word that
# looks numeric and was read with less than REREAD_BELOW confidence is read again from
# its crop, enlarged to about REREAD_DPI, with only digits and number signs allowed; the
# reading Tesseract is surer of wins. Below POOR_NUMBER_CONF both times, the word is
# marked doubtful: its fact gets a low confidence and a warning (see :func:`adjust`).
REREAD_BELOW = 97.0
POOR_NUMBER_CONF = 60.0
SHORT_REREAD_BELOW = 50.0
REREAD_DPI = 400.0
MAX_STRIP_PX = 20000      # the tallest image of stacked number crops given to Tesseract at once
NUMBER_CHARS = "0123456789º°ª/.,%R$-:()"
_DIGIT_LOOKALIKES = frozenset("AOoQqlIiSsBZzGgbTt|")  # what a bad scan makes of digits
_NUMBER_SIGNS = frozenset("º°ª/.,%$:-()")


def looks_numeric(text: str) -> bool:
    """A word that is (or was meant to be) a number: mostly digits and number signs, or a
    short word of digit look-alikes beside an ordinal sign or a percent (``Aº``, ``l0%``)."""
    core = text.strip("()[];")
    if not core:
        return False
    digits = sum(c.isdigit() for c in core)
    signs = sum(c in _NUMBER_SIGNS for c in core) + (2 if core.startswith("R$") else 0)
    if digits and (digits + signs) * 2 >= len(core):
        return True
    return (len(core) <= 5 and any(c in "º°ª%" for c in core)
            and all(c in _DIGIT_LOOKALIKES or c in _NUMBER_SIGNS or c.isdigit() for c in core))


# An ordinal sign (º, ª) is a small raised glyph: Tesseract, sure of itself, reads "2ª" as
# "22". A number's last glyph this much smaller than the digit before it, and raised by
# this share of that digit's height, is the sign, whatever it was read as.
ORDINAL_HEIGHT = 0.8
ORDINAL_RAISE = 0.2
_DIGITS_ONLY = re.compile(r"^\d{2,}$")


def _raised_ordinals(lines: list[_Line]) -> None:
    """Read back, in place, the ordinal signs Tesseract took for a digit: a word of digits
    whose last glyph is small and raised (``22`` printed ``2ª``) ends in a sign, ``ª``
    when the next word ends in ``a`` (``2ª Via``, ``3ª dose``), else ``º``."""
    for ln in lines:
        for wi, (text, box, conf) in enumerate(ln.words):
            if not _DIGITS_ONLY.match(text):
                continue
            glyphs = [g for g in ln.glyphs if box[0] - 1 <= g[1][0] and g[1][2] <= box[2] + 1]
            if len(glyphs) != len(text):
                continue
            (_, prev), (_, last) = glyphs[-2], glyphs[-1]
            height, last_height = prev[3] - prev[1], last[3] - last[1]
            if height <= 0 or last_height > ORDINAL_HEIGHT * height or prev[3] - last[3] < ORDINAL_RAISE * height:
                continue
            after = ln.words[wi + 1][0] if wi + 1 < len(ln.words) else ""
            sign = "ª" if after[-1:].lower() == "a" else "º"
            ln.words[wi] = (text[:-1] + sign, box, conf)


def _reread_numbers(exe: str, image, lines: list[_Line], path: Path, timeout: float,  # noqa: ANN001 - PIL
                    dpi: float) -> set[tuple[int, int]]:
    """Re-read the page's unsure numeric words (in place in ``lines``) from images of their
    crops stacked one under the other (as few as Tesseract's size limit allows), each
    enlarged to about REREAD_DPI; return the
    (line, word) indexes of those read poorly both times."""
    from PIL import Image

    todo = [(li, wi) for li, ln in enumerate(lines) for wi, (text, _, conf) in enumerate(ln.words)
            if _reread(text, conf)]
    if not todo:
        return set()
    factor = max(REREAD_DPI / dpi, 1.0)
    crops = []
    for li, wi in todo:
        _, (x0, y0, x1, y1), _ = lines[li].words[wi]
        pad = max(2, round((y1 - y0) * 0.3))
        crop = image.crop((max(x0 - pad, 0), max(y0 - pad, 0), x1 + pad, y1 + pad))
        crops.append(crop.resize((max(round(crop.width * factor), 1), max(round(crop.height * factor), 1)),
                                 Image.LANCZOS))
    readings: list[list[tuple[str, float]]] = [[] for _ in todo]
    gap = max(c.height for c in crops)
    for first, last in _strips([c.height + gap for c in crops], MAX_STRIP_PX - gap):
        try:
            _read_strip(exe, crops[first:last], gap, readings[first:last], path, timeout, dpi * factor)
        except (RuntimeError, TimeoutError) as exc:  # the first reading stands
            log.warning("numbers could not be read again (%s)", exc)
    doubtful = set()
    for (li, wi), again in zip(todo, readings):
        text, box, conf = lines[li].words[wi]
        for new_text, new_conf in again:
            if new_conf > conf and any(c.isdigit() for c in new_text):
                text, conf = new_text, new_conf
        lines[li].words[wi] = (text, box, conf)
        if conf < POOR_NUMBER_CONF and looks_numeric(text):
            doubtful.add((li, wi))
    return doubtful


def _strips(heights: list[int], limit: int) -> Iterator[tuple[int, int]]:
    """Split crops of these heights into runs whose stacked height stays under `limit`
    (Tesseract refuses an image past about 32,000 pixels: a table page has hundreds of
    numbers), each run at least one crop."""
    first, total = 0, 0
    for k, height in enumerate(heights):
        if k > first and total + height > limit:
            yield first, k
            first, total = k, 0
        total += height
    if first < len(heights):
        yield first, len(heights)


def _read_strip(exe: str, crops: list, gap: int, readings: list[list[tuple[str, float]]],  # noqa: ANN001 - PIL
                path: Path, timeout: float, dpi: float) -> None:
    """Read the crops stacked one under the other, twice, adding each reading to `readings`."""
    from PIL import Image

    strip = Image.new("L", (max(c.width for c in crops) + 2 * gap, sum(c.height + gap for c in crops) + gap), 255)
    slots, y = [], gap
    for c in crops:
        strip.paste(c, (gap, y))
        slots.append((y - gap / 2, y + c.height + gap / 2))
        y += c.height + gap
    strip.save(path)
    # Enlarged, read as it comes and read with numbers only: the whitelist alone makes
    # Tesseract force a digit where the print is an "ª"; either may be the surer one.
    for whitelist in ([], ["-c", f"tessedit_char_whitelist={NUMBER_CHARS}"]):
        args = ["-l", LANG, "--psm", "6", *whitelist, "hocr"]
        found: list[list[tuple[str, float]]] = [[] for _ in crops]
        for ln in _parse(_run(exe, path, args, timeout, dpi)):
            for text, (_, wy0, _, wy1), conf in ln.words:
                k = next((k for k, (top, bottom) in enumerate(slots) if top <= (wy0 + wy1) / 2 <= bottom), None)
                if k is not None:
                    found[k].append((text, conf))
        for k, words in enumerate(found):
            if words:
                readings[k].append(("".join(t for t, _ in words), min(c for _, c in words)))


def _reread(text: str, conf: float) -> bool:
    """Whether a first reading is worth a second: an unsure numeric word, or a lone sign
    or two read very poorly (a table's "1" comes out "t" or "E")."""
    if conf >= REREAD_BELOW:
        return False
    return looks_numeric(text) or (len(text) <= 2 and conf < SHORT_REREAD_BELOW)


class _Renderer:
    """The scan's pages rendered for OCR, one at a time (pdfium is not thread-safe), and
    never after the document is closed (an extraction stopped while pages were queued)."""

    def __init__(self, path: Path) -> None:
        import pypdfium2 as pdfium

        self._pdf = pdfium.PdfDocument(str(path))
        self._lock = threading.Lock()
        self._closed = False

    def __len__(self) -> int:
        return len(self._pdf)

    def render(self, index: int):  # noqa: ANN201 - (PIL image, width pt, height pt, scale)
        with self._lock:
            if self._closed:
                raise RuntimeError("the extraction was stopped")
            page = self._pdf[index]
            try:
                width, height = page.get_size()
                scale = min(DPI / 72.0, MAX_SIDE_PX / max(width, height, 1.0))
                image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
        return image, width, height, scale

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._pdf.close()


def _ocr_page(exe: str, pdf: _Renderer, index: int, images: int, tmp: Path, timeout: float,
              hint: int = 0) -> tuple[_Read, int]:
    """OCR one page; `hint` is the turn the previous page needed (scanners turn every page
    alike), tried first. Returns the page's words and the turn it needed."""
    import numpy as np

    image, width, height, scale = pdf.render(index)
    path = tmp / f"p{index + 1}.pgm"
    rendered, turn = image, hint
    image = rendered.rotate(-turn, expand=True) if turn else rendered
    image.save(path)
    dpi = scale * 72.0
    lines = _parse(_run(exe, path, READ_ARGS, timeout, dpi))
    if _poor(lines):
        rendered.save(path)
        osd = _orientation(exe, path, timeout, dpi)
        if osd != turn:
            other = rendered.rotate(-osd, expand=True) if osd else rendered
            other.save(path)
            turned = _parse(_run(exe, path, READ_ARGS, timeout, dpi))
            if _quality(turned) > _quality(lines):
                lines, turn, image = turned, osd, other
    _raised_ordinals(lines)
    doubtful = _reread_numbers(exe, image, lines, tmp / f"p{index + 1}-numbers.pgm", timeout, dpi)
    gray = np.asarray(image)
    iw, ih = image.size  # the upright image, pixels
    # Straighten: reading-frame pixel p = R(-skew) about the centre of the upright image.
    theta = _skew(lines) if lines else 0.0
    if abs(math.degrees(theta)) < MIN_SKEW_DEG:
        theta = 0.0
    cx, cy = iw / 2.0, ih / 2.0
    cos, sin = math.cos(theta), math.sin(theta)
    level_to_upright: Affine = (cos, -sin, cx - cos * cx + sin * cy,
                                sin, cos, cy - sin * cx - cos * cy)
    upright_to_render = _rotation_affine(turn, *(image.size if turn in (0, 180) else image.size[::-1]))
    s = scale
    to_page = _compose((1 / s, 0.0, 0.0, 0.0, 1 / s, 0.0),
                       _compose(upright_to_render, _compose(level_to_upright, (s, 0.0, 0.0, 0.0, s, 0.0))))
    frame = Frame(to_page=to_page, width=float(width), height=float(height))
    words = []
    for li, ln in enumerate(lines):
        strokes = _strokes(gray, ln.words)
        size_px = _line_size(ln)
        size_pt = size_px / s
        for wi, ((raw, (rx0, _y0, rx1, _y1), conf), stroke) in enumerate(zip(ln.words, strokes)):
            unsure = (li, wi) in doubtful
            unruled = _without_rules(raw, rx0, rx1)
            if unruled is None or _noise(unruled[0], conf, alone=len(ln.words) == 1):
                continue
            text, x0, x1 = unruled
            # Levelled, the word sits on its line's baseline; like a text layer's word its
            # box is one font size high, from a little below the baseline (descenders) up.
            mx = (x0 + x1) / 2.0
            by = ln.bbox[3] + ln.offset + ln.slope * (mx - ln.bbox[0])
            lx = cos * (mx - cx) + sin * (by - cy) + cx
            lby = -sin * (mx - cx) + cos * (by - cy) + cy
            hw = (x1 - x0) / 2.0
            bottom = lby + DESCENT * size_px
            box = ((lx - hw) / s, (bottom - size_px) / s, (lx + hw) / s, bottom / s)
            words.append((text, box, size_pt, stroke / size_px if stroke else None, conf, unsure))
    return _Read(number=index + 1, frame=frame, width=iw / s, height=ih / s, images=images,
                 words=words), turn


# --- the document -----------------------------------------------------------------------

def _size_classes(sizes: list[tuple[float, int]]) -> dict[float, float]:
    """Snap each line size to its class: the most used size not yet taken claims every
    size within SIZE_WINDOW of it, and they all take the class's weighted median (to half
    points). Tesseract's sizes wander by a few per cent line to line; this keeps a title
    set 1.15 times the body apart from it, and the body one size."""
    left = dict(sizes)
    out: dict[float, float] = {}
    while left:
        peak = max(left, key=lambda k: (left[k], k))
        members = sorted(k for k in left if abs(k - peak) <= peak * SIZE_WINDOW)
        middle = _weighted_median([(k, left[k]) for k in members]) or peak
        for k in members:
            out[k] = round(middle * 2) / 2
            del left[k]
    return out


def _pages(reads: list[_Read]) -> list[OcrPage]:
    weights: dict[float, int] = {}
    strokes: list[tuple[float, int]] = []
    for r in reads:
        for text, _, size, stroke, _, _ in r.words:
            weights[size] = weights.get(size, 0) + len(text)
            if stroke is not None:
                strokes.append((stroke, len(text)))
    sizes = _size_classes(list(weights.items()))
    regular = _weighted_median(strokes)
    out = []
    for r in reads:
        words = tuple(
            OcrWord(text=text, x0=x0, top=top, x1=x1, bottom=bottom, size=sizes[size],
                    bold=bool(regular and stroke is not None and stroke >= regular * BOLD_STROKE_RATIO),
                    page=r.number, conf=conf, frame=r.frame, doubtful=unsure)
            for text, (x0, top, x1, bottom), size, stroke, conf, unsure in r.words)
        out.append(OcrPage(number=r.number, width=r.width, height=r.height, words=words,
                           images=r.images, frame=r.frame))
    return out


def _weighted_median(values: list[tuple[float, int]]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    total, acc = sum(n for _, n in values), 0
    for v, n in values:
        acc += n
        if acc * 2 >= total:
            return v
    return values[-1][0]


# A page is read as a scan when what it shows outweighs its text layer (the guide: "a page
# whose body is an image, or text drawn as vector outlines, while its text layer holds at
# most a title, a stamp, a footer or a scanner's mark"). Areas are in square points:
# the text layer's is the sum of its word boxes.
MIN_PICTURE_SHARE = 0.3   # pictures covering less of the page are figures, not its body
MAX_TEXT_PER_PICTURE = 0.03  # a title or a stamp over a page-sized picture covers 1-3 % of
                             # it; a slide's bullets or a bulletin's text beside a chart,
                             # 10 % and more
MIN_OUTLINE_SHARE = 0.005  # glyph outlines this much of the page (a few lines) are text,
                          # not an icon
MAX_TEXT_PER_OUTLINE = 0.5   # outline glyph boxes are tighter than word boxes; a page
                             # whose machine text is a title has a fraction of their area


def _repeated_pictures(pages: Sequence[Page]) -> set[int]:
    """Images drawn on more than one page (one stream): a template's background or logo,
    never the body of a scanned page (each scanned page is an image of its own)."""
    seen: dict[int, int] = {}
    for p in pages:
        for key in {k for k, _ in p.pictures if k is not None}:
            seen[key] = seen.get(key, 0) + 1
    return {k for k, n in seen.items() if n > 1}


def _scan_body(page: Page, furniture: set[int]) -> float | None:
    """The square points of the picture or outlines that make ``page`` a scan, or None
    when it is not one (0.0 for a page with no text at all that shows an image)."""
    if not page.words:
        if page.unmapped:
            return None  # text in fonts without a Unicode map, not a scan
        if page.images:
            return 0.0
    area = page.width * page.height
    text = sum((w.x1 - w.x0) * (w.bottom - w.top) for w in page.words)
    picture = min(sum(a for k, a in page.pictures if k not in furniture), area)
    if picture >= MIN_PICTURE_SHARE * area and text <= MAX_TEXT_PER_PICTURE * picture:
        return picture
    outline = page.outline_area
    if outline >= MIN_OUTLINE_SHARE * area and text <= MAX_TEXT_PER_OUTLINE * outline:
        return outline
    return None


def _scan_bodies(pages: Sequence[Page]) -> dict[int, float]:
    furniture = _repeated_pictures(pages)
    out = {}
    for p in pages:
        body = _scan_body(p, furniture)
        if body is not None:
            out[p.number] = body
    return out


def scanned(pages: Sequence[Page]) -> list[Page]:
    """The pages OCR would read: those whose body is a picture (images not repeated on
    other pages) or glyphs drawn as outlines, while their text layer holds at most a
    title, a stamp or a footer; and pages with no text at all that show an image or
    outlines. Charts and screenshots beside a text body leave a page to its text layer."""
    bodies = _scan_bodies(pages)
    return [p for p in pages if p.number in bodies]


def _inverse(m: Affine) -> Affine:
    a, b, c, d, e, f = m
    det = a * e - b * d
    return (e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Share of the smaller of two boxes (x0, top, x1, bottom) the other covers."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller if smaller > 0 else 0.0


MERGE_OVERLAP = 0.3  # an OCR word this much on a machine word is that word read again
# On a page with machine text, OCR must find text in the picture: words covering at
# least this share of it. Word boxes cover some 40 % of a page of running text, 20-30 %
# of a table and 5-15 % of a sparse letter; a picture under a title that shows no text
# (a photo, a drawing) gives OCR a few specks: that page keeps its text layer.
MIN_READ_SHARE = 0.03


def merge(machine: Page, read: OcrPage, body: float) -> Page:
    """A scanned page's OCR words plus its machine text (title, stamp, footer), each read
    once: an OCR word lying on a machine word is dropped, as the text layer is exact.
    Machine words are moved into the OCR page's reading frame (turned and levelled) and
    become OcrWords of full confidence, so their facts' boxes map back like the rest.
    When OCR finds no body of text in the page's picture (``body``, square points; see
    MIN_READ_SHARE), the machine page is kept as it was."""
    if not machine.words or read.frame is None:
        return read
    frame = read.frame
    kept_ocr = [w for w in read.words
                if not any(_overlap(frame.box((w.x0, w.top, w.x1, w.bottom)),
                                    (m.x0, m.top, m.x1, m.bottom)) >= MERGE_OVERLAP
                           for m in machine.words)]
    if sum((w.x1 - w.x0) * (w.bottom - w.top) for w in kept_ocr) < MIN_READ_SHARE * body:
        return machine
    to_frame = Frame(to_page=_inverse(frame.to_page), width=read.width, height=read.height)
    moved = []
    for m in machine.words:
        x0, top, x1, bottom = to_frame.box((m.x0, m.top, m.x1, m.bottom))
        moved.append(OcrWord(text=m.text, x0=x0, top=top, x1=x1, bottom=bottom, size=m.size,
                             bold=m.bold, page=m.page, conf=100.0, frame=frame))
    return OcrPage(number=read.number, width=read.width, height=read.height,
                   words=tuple(moved + kept_ocr), images=read.images, frame=frame)


def read_scanned(path: str | Path, pages: list[Page], warnings: list[str]) -> list[Page]:
    """``pages`` with every scanned page (see :func:`scanned`) replaced by its OCR'd words
    merged with its machine text (:func:`merge`).

    Raises :class:`BadPDF` when no page has text and OCR cannot help (off, Tesseract
    missing, nothing read); when other pages have text, a scanned page that cannot be
    read is left empty with a warning.
    """
    bodies = _scan_bodies(pages)
    todo = [p for p in pages if p.number in bodies]
    if not todo:
        return pages
    has_text = any(p.words for p in pages)
    where = _page_list([p.number for p in todo])
    if mode() == "off":
        return _cannot(pages, has_text, warnings, where, "OCR is off (RELATO_OCR=off)")
    try:
        exe = _tesseract()
    except OcrUnavailable as exc:
        return _cannot(pages, has_text, warnings, where, str(exc))
    per_page = page_timeout_s()
    limits.allow_more(per_page * len(todo))
    import pypdfium2 as pdfium

    try:
        pdf = _Renderer(path)
    except pdfium.PdfiumError as exc:
        return _cannot(pages, has_text, warnings, where, f"the PDF could not be rendered for OCR ({exc})")
    reads: list[_Read] = []
    try:
        with tempfile.TemporaryDirectory(prefix="relato-ocr-", ignore_cleanup_errors=True) as tmp, _CHILDREN.session():
            reads = _read_pages(exe, pdf, todo, Path(tmp), per_page, warnings)
    finally:
        pdf.close()
    read = {p.number: p for p in _pages(reads)}
    out = [merge(p, read[p.number], bodies[p.number]) if p.number in read else p for p in pages]
    ocred = [p for p in out if isinstance(p, OcrPage)]
    if ocred:
        words = sum(len(p.words) for p in ocred)
        _warn(warnings, f"{_page_list([p.number for p in ocred])} scanned and read by OCR "
              f"(Tesseract, {words} words); facts read by OCR are marked .ocr",
              log_level=logging.INFO)
    if not has_text and not any(p.words for p in out):
        raise BadPDF("the PDF has no text layer (scanned images?) and OCR read no text on its "
                     "pages", code="no_text")
    return out


def _read_pages(exe: str, pdf: _Renderer, todo: list[Page], tmp: Path, per_page: float,
                warnings: list[str]) -> list[_Read]:
    """OCR ``todo`` on up to :func:`workers` Tesseracts at once, in page order. Each page
    starts with the turn the last finished page needed (scanners turn every page alike);
    progress ("OCR: página 3 de 10") goes to :mod:`extractor.progress` as pages finish."""
    import pypdfium2 as pdfium

    turn = [0]
    done = [0]
    lock = threading.Lock()

    def one(p: Page) -> _Read | None:
        try:
            if p.number > len(pdf):
                raise RuntimeError("the renderer does not see this page")
            read, turned = _ocr_page(exe, pdf, p.number - 1, p.images, tmp, per_page, turn[0])
            turn[0] = turned
            return read
        except (TimeoutError, RuntimeError, OSError, ValueError, pdfium.PdfiumError) as exc:
            with lock:
                _warn(warnings, f"page {p.number}: OCR failed ({exc})")
            return None
        finally:
            with lock:
                done[0] += 1
                progress.report(f"OCR: página {done[0]} de {len(todo)}")

    n = min(workers(), len(todo))
    if n <= 1:
        reads = [one(p) for p in todo]
    else:
        pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="relato-ocr")
        try:
            reads = list(pool.map(one, todo))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    return [r for r in reads if r is not None]


def _page_list(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]} is"
    shown = ", ".join(str(n) for n in numbers[:10]) + (", ..." if len(numbers) > 10 else "")
    return f"pages {shown} are"


def _cannot(pages: list[Page], has_text: bool, warnings: list[str], where: str, why: str) -> list[Page]:
    if not has_text:
        raise BadPDF(f"the PDF has no text layer (scanned images?); {why}", code="no_text")
    _warn(warnings, f"{where} scanned, without a text layer, and not read: {why}")
    return pages


def _warn(warnings: list[str], msg: str, log_level: int = logging.WARNING) -> None:
    log.log(log_level, msg)
    warnings.append(msg)


