"""Keyboard shortcuts for the Watch page's run: Space or P plays and pauses, S or → steps, R resets.

A small Vue component (``keys.vue``) listens for keys on the whole page while the Watch page is
open and sends the action's name to the server; keys typed into a text box, a select or a
slider stay theirs.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

KEYS_HELP = "Keys: Space or P play/pause · S or → step · R reset"
ACTIONS = ("play", "step", "reset")


@solara.component_vue("keys.vue")
def KeyListener(event_pressed: Callable[[str], None]) -> None:
    """Calls ``event_pressed`` with "play", "step" or "reset" when its key is pressed."""


@solara.component
def Shortcuts(actions: dict[str, Callable[[], None]]) -> None:
    """The page's keys, each calling its action; a line saying which key does what.

    Args:
        actions: By name ("play", "step", "reset"), what the key does.
    """

    def pressed(name: str) -> None:
        # The browser can send anything: only the actions given are run.
        action = actions.get(name) if isinstance(name, str) else None
        if action is not None:
            action()

    KeyListener(event_pressed=pressed)
    solara.Text(KEYS_HELP, classes=["keys-help"], style={"font-size": "0.85em"})
