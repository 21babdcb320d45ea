"""A browser for tests: follows a sign-in address the way a person's browser would.

`webbrowser` runs it when BROWSER="python fake_browser.py %s". It follows every redirect (the
last one lands on the login command's loopback callback) and, on the sandbox's consent page,
presses the button FAKE_BROWSER_DECISION names (approve by default).
"""

from __future__ import annotations

import os
import re
import sys

import httpx2


def main(url: str) -> None:
    decision = os.environ.get("FAKE_BROWSER_DECISION", "approve")
    with httpx2.Client(follow_redirects=True, timeout=30) as http:
        page = http.get(url)
        consent = re.search(r"name='authorization_id' value='([^']+)'", page.text)
        if consent:
            action = str(page.url).split("?", 1)[0]
            http.post(action, data={"authorization_id": consent.group(1), "decision": decision})


if __name__ == "__main__":
    main(sys.argv[1])
