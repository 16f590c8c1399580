"""Screenshots of every demo role's home page for docs/screenshots, taken from a running demo.

Run `make run` in one terminal, then: .venv/bin/python tools/screenshots.py [--url http://127.0.0.1:8000]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

ACCOUNTS = [
    "admin",
    "district",
    "street",
    "secretary",
    "community",
    "grid",
    "department",
    "volunteer",
    "provider",
    "auditor",
    "resident",
]
PASSWORD = "Linli-demo-2026"  # noqa: S105 - the published demo password
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        for username in ACCOUNTS:
            mobile = username in {"resident", "volunteer", "grid"}
            context = browser.new_context(
                viewport={"width": 390, "height": 844} if mobile else {"width": 1280, "height": 860}, locale="zh-CN"
            )
            page = context.new_page()
            page.goto(f"{args.url}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("#password-login button[type=submit]")
            page.wait_for_selector("h1[data-role]")
            role = page.get_attribute("h1[data-role]", "data-role")
            page.screenshot(path=str(OUT / f"home-{username}.png"), full_page=False)
            print(f"{username}: {role}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
