"""The web inbox in a real browser (issue 7): sign in, pair two numbers through
the simulated network, watch a contact's message arrive live, reply from the
conversation view, and narrow the list by instance. Saves the screenshots in
docs/.

With CRM_URL and CRM_KEY set it drives that running host (a fresh one: the
test pairs fixed numbers); otherwise it starts the built daemon on 127.0.0.1
the same way the end-to-end tests do. The browser is Debian's headless
Chromium with a fixed window size."""
import importlib.util
import os
import pathlib
import secrets
import shutil
import time

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
WINDOW = (1280, 1000)
SALES = "5511999998888"
SUPPORT = "5511988887777"
JOAO = "5511911112222"
PEDRO = "5521933334444"
TIMEOUT = 15


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


def until(driver, probe, message):
    """Waits for `probe(driver)` to be truthy, tolerating a list redrawn meanwhile."""
    def attempt(current):
        try:
            return probe(current)
        except StaleElementReferenceException:
            return False
    return WebDriverWait(driver, TIMEOUT, poll_frequency=0.1).until(attempt, message)


def by_testid(name, within=None):
    return f'{within or ""} [data-testid="{name}"]'.strip()


def find(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector)


def find_all(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def sign_in(driver, host, path="/inbox"):
    driver.get(host.url + path)
    key = until(driver, lambda d: find(d, "#api-key"), "sign-in form not shown")
    key.send_keys(host.key)
    key.send_keys(Keys.ENTER)
    until(driver, lambda d: find(d, "#top").is_displayed(), "signed-in header not shown")


def contact_writes(host, to, sender, name, text, group=None):
    body = {"to": to, "from": sender, "name": name, "text": text}
    if group:
        body["group"] = group
    response = requests.post(host.url + "/sim/messages", json=body, timeout=10)
    assert response.status_code == 202, response.text


def card(driver, instance_id):
    return find(driver, f'[data-testid="instance-row"][data-instance-id="{instance_id}"]')


def create_instance(driver, name):
    """Creates an instance from the form and answers the id its new card shows."""
    before = {row.get_attribute("data-instance-id") for row in find_all(driver, by_testid("instance-row"))}
    field = find(driver, "#instance-name")
    field.clear()
    field.send_keys(name)
    find(driver, "#create-instance").click()
    return until(driver, lambda d: next((row.get_attribute("data-instance-id")
                                         for row in find_all(d, by_testid("instance-row"))
                                         if row.get_attribute("data-instance-id") not in before
                                         and row.find_element(By.CSS_SELECTOR, by_testid("instance-title")).text == name),
                                        None), f"card of {name} not shown")


def shown_qr(driver, instance_id):
    """The code of the QR the card shows, once its image is drawn."""
    image = card(driver, instance_id).find_element(By.CSS_SELECTOR, by_testid("instance-qr"))
    drawn = image.is_displayed() and driver.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 0", image)
    return drawn and image.get_attribute("data-qr-code")


def pair_from_page(driver, host, instance_id, phone):
    """Connects with the card's button and lets a simulated phone scan the QR the page shows."""
    card(driver, instance_id).find_element(By.CSS_SELECTOR, by_testid("connect")).click()
    deadline = time.time() + TIMEOUT
    while True:
        code = until(driver, lambda d: shown_qr(d, instance_id), "QR code not shown")
        scan = requests.post(host.url + "/sim/scan", json={"qr": code, "phone": phone}, timeout=10)
        # A QR that refreshed between reading and scanning is gone: read the new one.
        if scan.status_code != 404 or time.time() > deadline:
            break
        time.sleep(0.2)
    assert scan.status_code == 200, scan.text
    assert scan.json()["instance_id"] == instance_id
    until(driver, lambda d: card(d, instance_id).get_attribute("data-status") == "CONNECTED",
          "instance not shown as connected")
    number = card(driver, instance_id).find_element(By.CSS_SELECTOR, by_testid("instance-number")).text
    assert number == f"({phone[2:4]}) {phone[4:9]}-{phone[9:]}"
    assert not card(driver, instance_id).find_element(By.CSS_SELECTOR, by_testid("qr-panel")).is_displayed()


def rows(driver):
    return find_all(driver, by_testid("conversation-row"))


def row_named(driver, name):
    for row in rows(driver):
        if row.find_element(By.CSS_SELECTOR, by_testid("conversation-name")).text == name:
            return row
    return None


def go(driver, page):
    find(driver, by_testid(f"nav-{page}")).click()
    until(driver, lambda d: d.current_url.endswith("/" + page), f"{page} page not shown")


def screenshot(driver, name):
    path = ROOT / "docs" / name
    path.parent.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(path)), f"screenshot {name} not saved"


def test_inbox_pairs_receives_replies_and_filters(host, browser):
    sign_in(browser, host, "/instances")
    assert host.key not in browser.current_url
    assert browser.execute_script("return Object.values(sessionStorage)").count(host.key) == 1

    sales = create_instance(browser, "WhatsApp Vendas")
    pair_from_page(browser, host, sales, SALES)
    until(browser, lambda d: find(d, by_testid("connected-badge")).text == "1 connected", "badge not updated")

    go(browser, "inbox")
    browser.execute_script("window.stillTheSamePage = true")
    contact_writes(host, SALES, JOAO, "João", "Qual o preço do plano anual?")
    joao = until(browser, lambda d: row_named(d, "João"), "the contact's message did not appear live")
    assert joao.find_element(By.CSS_SELECTOR, by_testid("conversation-via")).text == "via (11) 99999-8888"
    assert joao.get_attribute("data-instance-id") == sales

    joao.find_element(By.TAG_NAME, "a").click()
    until(browser, lambda d: "Qual o preço do plano anual?" in
          [m.text for m in find_all(d, by_testid("message-text"))], "conversation messages not shown")
    box = find(browser, "#message-input")
    assert browser.switch_to.active_element == box
    until(browser, lambda d: not row_named(d, "João").find_elements(By.CSS_SELECTOR, by_testid("unread-count")),
          "opening the conversation left it unread")
    box.send_keys("Olá João! O plano anual sai por R$ 990.")
    box.send_keys(Keys.ENTER)
    def reply(driver):
        return next((m for m in find_all(driver, '[data-testid="message"][data-direction="out"]')
                     if "R$ 990" in m.text), None)
    until(browser, reply, "the reply is not in the conversation")
    delivered = until(browser, lambda d: next((m for m in requests.get(
        host.url + "/sim/messages", params={"phone": JOAO}, timeout=10).json() if "R$ 990" in m["text"]), None),
        "the reply did not reach the contact")
    assert delivered["from"] == SALES and delivered["to"] == JOAO
    until(browser, lambda d: reply(d).get_attribute("data-status") in ("delivered", "read"),
          "the reply's delivery state did not update live")
    assert browser.execute_script("return window.stillTheSamePage") is True

    go(browser, "instances")
    support = create_instance(browser, "WhatsApp Suporte")
    pair_from_page(browser, host, support, SUPPORT)
    until(browser, lambda d: find(d, by_testid("connected-badge")).text == "2 connected", "badge not updated")
    branch = create_instance(browser, "Filial Centro")
    card(browser, branch).find_element(By.CSS_SELECTOR, by_testid("connect")).click()
    until(browser, lambda d: shown_qr(d, branch), "QR code of the third instance not shown")
    screenshot(browser, "instances.png")

    contact_writes(host, SUPPORT, PEDRO, "Pedro", "Meu pedido ainda não chegou")
    contact_writes(host, SALES, "5511922223333", "Maria", "Vocês abrem sábado?")
    contact_writes(host, SUPPORT, "5511955556666", "Ana", "Bom dia, equipe!",
                   group={"id": "120363025555555555", "name": "Clientes VIP"})
    go(browser, "inbox")
    until(browser, lambda d: len(rows(d)) == 4, "not every conversation is listed")
    assert row_named(browser, "Pedro").find_element(By.CSS_SELECTOR, by_testid("conversation-via")).text \
        == "via (11) 98888-7777"
    group = row_named(browser, "Clientes VIP")
    assert group.find_element(By.CSS_SELECTOR, by_testid("group-badge")).is_displayed()
    assert group.find_element(By.CSS_SELECTOR, by_testid("unread-count")).get_attribute("data-count") == "1"

    Select(find(browser, "#filter-instance")).select_by_value(support)
    until(browser, lambda d: sorted(r.find_element(By.CSS_SELECTOR, by_testid("conversation-name")).text
                                    for r in rows(d)) == ["Clientes VIP", "Pedro"],
          "the instance filter did not narrow the list")
    assert {r.get_attribute("data-instance-id") for r in rows(browser)} == {support}
    Select(find(browser, "#filter-instance")).select_by_value("")
    until(browser, lambda d: len(rows(d)) == 4, "clearing the filter did not bring every conversation back")

    row_named(browser, "João").find_element(By.TAG_NAME, "a").click()
    until(browser, lambda d: "R$ 990" in find(d, by_testid("message-list")).text, "conversation not reopened")
    screenshot(browser, "inbox.png")

    go(browser, "scripts")
    until(browser, lambda d: {sales, support, branch} <= {row.get_attribute("data-instance-id")
                                                         for row in find_all(d, by_testid("script-row"))},
          "the scripts page does not list every instance")
    find(browser, "#reload-scripts").click()
    until(browser, lambda d: find(d, "#scripts-status").text == "Scripts reloaded.", "reloading shows no result")


def test_wrong_key_is_refused(host, browser):
    browser.get(host.url + "/inbox")
    key = until(browser, lambda d: find(d, "#api-key"), "sign-in form not shown")
    key.send_keys("not-a-key")
    key.send_keys(Keys.ENTER)
    until(browser, lambda d: find(d, "#sign-in-error").text != "", "a refused key shows no error")
    assert not find(browser, "#top").is_displayed()
    assert browser.execute_script("return sessionStorage.length") == 0
