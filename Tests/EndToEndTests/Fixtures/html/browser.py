#!/usr/bin/env python3
"""Opens an exectrack HTML report in headless Chromium (Selenium with Debian's chromium and
chromium-driver) and reports what the browser saw, as JSON on stdout (used by
HTMLReportTests and scripts/bench.py; docs/html-report.md).

Usage: browser.py PAGE.html [SCREENSHOT.png]

Prints: the sections present, the timeline's bars and the attempts in the page's own data, the
console's errors, every network request the page made, the load time from the page's navigation
timing, and what the page shows of the texts it came from (title, heading, first description,
the scripts and images in the DOM), so that a caller can check escaping.
"""
import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

page, screenshot = os.path.abspath(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None

options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("EXECTRACK_CHROMIUM", "/usr/bin/chromium")
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1600",
                 "--hide-scrollbars", "--force-color-profile=srgb"):
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
driver = webdriver.Chrome(service=Service(os.environ.get("EXECTRACK_CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
try:
    driver.get("file://" + page)
    state = driver.execute_script("return document.readyState")
    load = driver.execute_script(
        "const n = performance.getEntriesByType('navigation')[0]; return n ? n.loadEventEnd - n.startTime : null")
    # The page runs no script of its own: the data block is read here, by the test's own code.
    data = json.loads(driver.find_element(By.ID, "exectrack-data").get_attribute("textContent"))
    attempts = (data.get("timeline") or {}).get("attempts", [])
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    console = [entry for entry in driver.get_log("browser") if entry.get("level") in ("SEVERE", "WARNING")]
    first = driver.find_elements(By.CSS_SELECTOR, "rect.attempt title")
    report = {
        "ready_state": state,
        "load_ms": load,
        "sections": [s for s in ("summary", "timeline", "layers", "errors", "gates", "usage") if driver.find_elements(By.ID, s)],
        "bars": len(driver.find_elements(By.CSS_SELECTOR, "rect.attempt")),
        "waits": len(driver.find_elements(By.CSS_SELECTOR, "line.wait")),
        "markers": len(driver.find_elements(By.CSS_SELECTOR, "path.marker")),
        "data_attempts": len(attempts),
        "data_descriptions": sorted({a["description"] for a in attempts}),
        "console": [f"{e.get('level')}: {e.get('message')}" for e in console],
        "requests": requests,
        "title": driver.title,
        "heading": driver.find_element(By.TAG_NAME, "h1").text,
        "first_bar_title": first[0].get_attribute("textContent") if first else None,
        "error_messages": [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#errors tbody tr td:nth-child(5)")],
        "scripts": len(driver.find_elements(By.TAG_NAME, "script")),
        "images": len(driver.find_elements(By.TAG_NAME, "img")),
        "with_handlers": driver.execute_script(
            "return [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length"),
        "alert": driver.execute_script("return typeof window.__exectrack_pwned"),
    }
    if screenshot:
        # The page's own height, not the window's: measured in a short window, then shot whole.
        driver.set_window_size(1280, 400)
        height = driver.execute_script("return document.body.scrollHeight + 16")
        driver.set_window_size(1280, min(max(400, height), 4000))
        driver.save_screenshot(screenshot)
    print(json.dumps(report))
finally:
    driver.quit()
