"""The browser test's host and browser. With CRM_URL and CRM_KEY set it drives
that running host; otherwise it starts the built daemon on 127.0.0.1 the same
way the end-to-end tests do. The browser is Debian's headless Chromium."""
import importlib.util
import os
import pathlib
import secrets
import shutil

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = pathlib.Path(__file__).resolve().parents[2]
WINDOW = (1280, 1000)


class RunningHost:
    """A host someone else started: only its URL and key are known."""

    def __init__(self, url, key):
        self.url, self.key = url.rstrip("/"), key

    def api(self, method, path, **kwargs):
        headers = {"Authorization": f"Bearer {self.key}"}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def stop(self):
        pass


def daemon_host(folder):
    spec = importlib.util.spec_from_file_location("e2e_host", ROOT / "Tests" / "e2e" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data, scripts = folder / "data", folder / "scripts"
    data.mkdir()
    scripts.mkdir()
    return module.Host(data, scripts, "browser-" + secrets.token_hex(16)).start()


@pytest.fixture
def host(tmp_path):
    if os.environ.get("CRM_URL"):
        running = RunningHost(os.environ["CRM_URL"], os.environ["CRM_KEY"])
    else:
        running = daemon_host(tmp_path)
    yield running
    running.stop()


def executable(*names):
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(f"browser test needs one of {', '.join(names)} (Debian: chromium, chromium-driver)")


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = executable("chromium", "chromium-browser")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={WINDOW[0]},{WINDOW[1]}", "--lang=en-US", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    driver = webdriver.Chrome(options=options, service=Service(executable("chromedriver")))
    driver.set_window_size(*WINDOW)
    yield driver
    driver.quit()
