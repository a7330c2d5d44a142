"""The words of a journey's emailed-link pages, declared by the journey and drawn by the web.

An emailed link opens a page that asks for a click (so mail scanners that prefetch links do
nothing), then thanks the customer, or explains that the link no longer works. The pages are
generic (``templates/journeys/link.html``, ``link_done.html``); each journey that emails a link
words them for what the link does, with ``link_page = LinkPage(...)`` on its class.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class LinkPage(BaseModel):
    """Texts of the link pages; the defaults are neutral, for a journey that declares none."""

    model_config = ConfigDict(frozen=True)

    #: Heading (and window title) of the page that asks for the click.
    title: str = "Continue with this link"
    #: The sentence under it: what pressing the button does.
    intro: str = "Press the button to continue. The page where you started moves on by itself."
    #: The button's label.
    button: str = "Continue"
    #: Heading of the page after the click, on a device that did not start the journey.
    done_title: str = "Done"
    #: The sentence under it.
    done: str = (
        "Go back to the device where you started: that page has already moved on. "
        "You can close this window."
    )
    #: Heading of the page for a link that was used already or whose journey has ended.
    gone_title: str = "This link no longer works"
    #: The sentence under it: what the customer can do now.
    gone: str = "It was already used, or the journey it belongs to has ended."
