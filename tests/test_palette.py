"""The side palette stays apart for readers with red–green colour blindness.

Deuteranopia and protanopia are simulated with the matrices of Machado, Oliveira & Fernandes
(2009, "A physiologically-based model for simulation of color vision deficiency", IEEE TVCG
15(6)) at severity 1, applied to linear RGB. Colours are compared in CIELAB (D65) with
CIEDE2000, which, unlike CIE76, corrects for the eye's lower sensitivity to chroma differences
among saturated colours and for the blue region, where CIE76 overstates differences.

The threshold, ΔE00 ≥ 15: about 1 ΔE00 is just noticeable between large patches side by side,
but the sides are told apart in thin lines and small markers matched against a legend, where
Stone, Szafir & Setlur (2014, "An engineering model for color difference as a function of
size") found the noticeable difference several times larger (about 5 ΔE00 for marks of a
third of a degree). Three times that leaves colours one can name from the key, not merely
tell apart side by side.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest

from viz.style import SIDE_COLOURS

Array = npt.NDArray[np.float64]

MIN_DELTA_E = 15.0
MIN_CONTRAST = 3.0  # WCAG 2.1 non-text contrast (1.4.11) against the white background
SIDES = 5

# Machado et al. (2009), severity 1.0, for linear RGB.
PROTANOPIA = np.array(
    [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ]
)
DEUTERANOPIA = np.array(
    [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]
)
VISIONS = {"normal": np.eye(3), "deuteranopia": DEUTERANOPIA, "protanopia": PROTANOPIA}

SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def linear_rgb(colour: str) -> Array:
    """A '#rrggbb' colour in linear RGB (the sRGB transfer function undone)."""
    c = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb: Array) -> Array:
    """CIELAB (D65) of a linear RGB colour."""
    xyz = SRGB_TO_XYZ @ rgb / WHITE_D65
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(colour: str, vision: Array) -> Array:
    """CIELAB of a colour as a viewer with ``vision`` sees it (clipped to the gamut)."""
    return lab(np.clip(vision @ linear_rgb(colour), 0.0, 1.0))


def delta_e00(lab1: Array, lab2: Array) -> float:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005), kL = kC = kH = 1."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean**7 / (c_mean**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360 if c2p else 0.0
    dh = 0.0 if c1p * c2p == 0 else (h2p - h1p + 180) % 360 - 180
    d_hue = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + (360 if h1p + h2p < 360 else -360)) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(h_mean - 30))
        + 0.24 * np.cos(np.radians(2 * h_mean))
        + 0.32 * np.cos(np.radians(3 * h_mean + 6))
        - 0.20 * np.cos(np.radians(4 * h_mean - 63))
    )
    rotation = 30 * np.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_mean**7 / (cp_mean**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -np.sin(np.radians(2 * rotation)) * r_c
    dl, dc, dhh = (l2 - l1) / s_l, (c2p - c1p) / s_c, d_hue / s_h
    return float(np.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh))


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of a colour against white."""
    luminance = float(np.array([0.2126, 0.7152, 0.0722]) @ linear_rgb(colour))
    return 1.05 / (luminance + 0.05)


def closest_pair(colours: tuple[str, ...], vision: Array) -> tuple[float, str, str]:
    """The smallest ΔE00 between any two of ``colours`` as seen with ``vision``."""
    return min(
        (delta_e00(seen(a, vision), seen(b, vision)), a, b)
        for a, b in itertools.combinations(colours, 2)
    )


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [  # Sharma, Wu & Dalal (2005), test pairs 1, 7, 17 and 25
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_delta_e00_matches_the_published_pairs(
    first: tuple[float, ...], second: tuple[float, ...], expected: float
) -> None:
    assert delta_e00(np.array(first), np.array(second)) == pytest.approx(expected, abs=1e-4)


def test_the_simulations_keep_white_and_greys() -> None:
    # Each matrix's rows sum to 1: neutral colours are seen as they are.
    for vision in (PROTANOPIA, DEUTERANOPIA):
        assert vision @ np.ones(3) == pytest.approx(np.ones(3), abs=1e-5)


@pytest.mark.parametrize(
    ("vision", "first", "second"),
    [  # classic confusions: red with olive for deuteranopes, blue with purple for protanopes
        ("deuteranopia", "#d62728", "#7f7f00"),
        ("protanopia", "#1f4e9c", "#8e44ad"),
    ],
)
def test_known_confusions_collapse_under_the_simulations(
    vision: str, first: str, second: str
) -> None:
    # The check can fail: colours far apart in normal vision fall close together.
    assert delta_e00(seen(first, np.eye(3)), seen(second, np.eye(3))) > 20
    assert delta_e00(seen(first, VISIONS[vision]), seen(second, VISIONS[vision])) < 5


@pytest.mark.parametrize("vision", list(VISIONS))
def test_side_colours_stay_apart(vision: str) -> None:
    assert len(SIDE_COLOURS) >= SIDES
    distance, a, b = closest_pair(SIDE_COLOURS[:SIDES], VISIONS[vision])
    assert distance >= MIN_DELTA_E, f"{a} and {b}: ΔE00 {distance:.1f} in {vision} vision"


def test_side_colours_stand_out_on_white() -> None:
    for colour in SIDE_COLOURS[:SIDES]:
        assert contrast_with_white(colour) >= MIN_CONTRAST, colour
