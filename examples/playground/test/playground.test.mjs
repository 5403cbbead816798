// Drives the built playground in headless Chromium, as a user would, and
// checks what the page shows against the manual's replies and rules.
//
//   node playground.test.mjs <built folder> <screenshot.png>
//
// Chromium is the distribution's (/usr/bin/chromium, or $CHROMIUM); the page
// is opened from the folder with file://, as a user opens it offline.

import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [dir, screenshot] = process.argv.slice(2);
if (!dir || !screenshot) {
  console.error("usage: node playground.test.mjs <built folder> <screenshot.png>");
  process.exit(2);
}

const PHONE = "+4915112345678";
const MAKEMEBOSS_REPLY =
  "Your phone number has been assigned for all types of alerts and was added to security list which has been activated";
const THERMOSTATON_REPLY =
  "THERMOSTATON - OK\nTHERMOSTAT=HEATING\nSwitch-off temperature: 10C(50F)\nNote! Thermostat is working now!";

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

let failed = false;
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));

async function check(name, body) {
  try {
    await body();
    console.log(`ok   ${name}`);
  } catch (e) {
    failed = true;
    console.log(`FAIL ${name}: ${e.message.split("\n")[0]}`);
  }
}

// Bubbles from the socket, oldest first.
const replies = () =>
  page.$$eval(".bubble.from-socket", (els) => els.map((e) => e.textContent));

async function sms(text) {
  await page.fill("#sms-input", text);
  await page.click("#sms-send");
}

async function waitForReply(text, timeout = 20000) {
  await page.waitForFunction(
    (t) => [...document.querySelectorAll(".bubble.from-socket")].some((e) => e.textContent === t),
    text,
    { timeout },
  );
}

const relayOn = () => page.$eval("#relay", (e) => e.classList.contains("on"));

try {
  await page.goto(pathToFileURL(path.resolve(dir, "index.html")).href);
  await page.waitForFunction(() => window.playgroundReady === true, null, { timeout: 20000 });
  await page.click("#speed-60");

  await check("MAKEMEBOSS shows its reply bubble", async () => {
    await sms("MAKEMEBOSS");
    await waitForReply(MAKEMEBOSS_REPLY);
  });

  await check("ON lights the relay and the OUT LED", async () => {
    await sms("ON");
    await waitForReply("Power socket ON");
    await page.waitForFunction(() => document.querySelector("#relay").classList.contains("on"));
    const out = await page.$eval("#led-out", (e) => e.dataset.pattern);
    if (out !== "on") throw new Error(`OUT LED shows ${out}`);
    if (!(await relayOn())) throw new Error("relay off");
  });

  await check("temp 8 C with THERMOSTATON (HEATING, 10 C) switches the socket on, 12 C off", async () => {
    await sms("OFF");
    await waitForReply("Power socket OFF");
    await page.waitForFunction(() => document.querySelector("#relay").classList.contains("off"));
    await page.$eval("#temp", (e) => { e.value = "8"; e.dispatchEvent(new Event("input")); });
    await sms("THERMOSTATON");
    await waitForReply(THERMOSTATON_REPLY);
    // Below the switch-off temperature, HEATING switches on at once (manual §9).
    await page.waitForFunction(() => document.querySelector("#relay").classList.contains("on"));
    // Above it, off at the next minute's reading.
    await page.$eval("#temp", (e) => { e.value = "12"; e.dispatchEvent(new Event("input")); });
    await page.click("#speed-3600");
    await page.waitForFunction(() => document.querySelector("#relay").classList.contains("off"), null, { timeout: 20000 });
    await page.click("#speed-60");
    await sms("THERMOSTATOFF");
    await waitForReply("THERMOSTATOFF - OK\nNote! Thermostat was disabled!");
  });

  await check("an alarm on the contact sends the ALARM SMS", async () => {
    await sms("ALARMON");
    await waitForReply("ALARMON - OK\nALARM function: Enabled");
    const before = (await replies()).length;
    await page.click("#contact");
    await page.waitForFunction(
      (n) => [...document.querySelectorAll(".bubble.from-socket")]
        .slice(n)
        .some((e) => /^ALARM! Sensor activated! Time: \d\d\/\d\d\/\d\d,\d\d:\d\d:\d\d$/.test(e.textContent)),
      before,
      { timeout: 20000 },
    );
    const power = await page.$eval("#led-power", (e) => e.dataset.pattern);
    if (power !== "blink-4hz") throw new Error(`POWER LED shows ${power}`);
  });

  await check("the AT log shows the driver's traffic", async () => {
    const log = await page.$eval("#at-log", (e) => e.textContent);
    if (!log.includes("> AT+CMGS") || !log.includes("< +CMGS")) throw new Error("no AT+CMGS exchange in the log");
  });

  await check("no script errors", async () => {
    if (errors.length) throw new Error(errors.join("; "));
  });

  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
} catch (e) {
  failed = true;
  console.log(`FAIL ${e.message}`);
} finally {
  await browser.close();
}

process.exit(failed ? 1 : 0);
