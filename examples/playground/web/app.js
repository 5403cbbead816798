// The playground page: every control turns into a step of the simulator's
// scenario vocabulary, and a frame loop lets virtual time run.
"use strict";

const PHONE = "+4915112345678";
const LEDS = ["power", "gsm", "out"];
const AT_LOG_LINES = 400;

let pg = null;
let speed = 1;
let lastFrame = performance.now();
let atLog = [];

const $ = (id) => document.getElementById(id);

function base64ToBytes(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function step(line) {
  try {
    pg.step(line);
    return true;
  } catch (e) {
    console.warn(`step "${line}": ${e}`);
    return false;
  }
}

function bubble(text, fromSocket) {
  const div = document.createElement("div");
  div.className = fromSocket ? "bubble from-socket" : "bubble from-me";
  div.textContent = text;
  $("thread").appendChild(div);
  $("thread").scrollTop = $("thread").scrollHeight;
}

function sendSms(text) {
  text = text.trim();
  if (!text) return;
  bubble(text, false);
  step(`sms ${PHONE} ${text}`);
  render();
}

function render() {
  for (const sms of pg.take_sms()) {
    const [to, text] = sms.split("\u001f");
    if ("+" + to === PHONE) bubble(text, true);
  }
  for (const item of pg.pending()) {
    if (item.startsWith("call to ") && ("+" + item.slice(8)) === PHONE && pg.calling(PHONE)) {
      $("incoming-call").hidden = false;
    } else if (item.startsWith("ussd ")) {
      // The operator answers a balance request.
      const code = item.slice(5);
      if (step(`expect ussd ${code}`)) step("ussd-reply Your balance is 4.20 EUR");
    }
  }
  const on = pg.relay();
  $("relay").className = on ? "on" : "off";
  $("relay-text").textContent = on ? "Socket ON" : "Socket OFF";
  LEDS.forEach((name, i) => {
    const led = $(`led-${name}`);
    const pattern = pg.led_pattern(i);
    led.dataset.pattern = pattern;
    led.classList.toggle("lit", pg.led_lit(i));
    $(`pattern-${name}`).textContent = pattern;
  });
  $("shutdown").hidden = !pg.shut_down();
  $("clock").textContent = pg.world_time();
  $("uptime").textContent = formatUptime(pg.uptime_ms());
  const lines = pg.take_at_log();
  if (lines.length) {
    atLog = atLog.concat(lines).slice(-AT_LOG_LINES);
    const pre = $("at-log");
    pre.textContent = atLog.join("\n");
    pre.scrollTop = pre.scrollHeight;
  }
}

function formatUptime(ms) {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const hh = String(Math.floor((s % 86400) / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${d}d ${hh}:${mm}:${ss}`;
}

function setSpeed(value) {
  speed = value;
  for (const v of [0, 1, 60, 3600]) $(`speed-${v}`).classList.toggle("active", v === value);
}

function frame(now) {
  const real = Math.min(now - lastFrame, 250);
  lastFrame = now;
  if (speed > 0) pg.advance(real * speed);
  render();
  requestAnimationFrame(frame);
}

function wire() {
  $("phone-number").textContent = PHONE;
  $("sms-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sendSms($("sms-input").value);
    $("sms-input").value = "";
  });
  for (const b of document.querySelectorAll("[data-sms]")) {
    b.addEventListener("click", () => sendSms(b.dataset.sms));
  }
  $("call").addEventListener("click", () => {
    bubble("(you call the socket)", false);
    step(`call ${PHONE}`);
    render();
  });
  $("answer").addEventListener("click", () => { step("answer"); $("incoming-call").hidden = true; render(); });
  $("reject").addEventListener("click", () => { step("reject"); $("incoming-call").hidden = true; render(); });
  $("button-press").addEventListener("click", () => { step("button press"); render(); });
  $("button-hold").addEventListener("click", () => { step("button hold 11s"); render(); });
  const temp = () => {
    const value = Number($("temp").value);
    $("temp-value").textContent = `${value} °C`;
    if ($("probe").value === "ok") step(`temp ${value}`);
  };
  $("temp").addEventListener("input", temp);
  $("probe").addEventListener("change", () => {
    const probe = $("probe").value;
    if (probe === "ok") temp(); else step(`temp ${probe}`);
  });
  $("contact").addEventListener("change", () => { step(`input ${$("contact").checked ? "closed" : "open"}`); render(); });
  $("mains").addEventListener("change", () => { step(`power ${$("mains").checked ? "restored" : "lost"}`); render(); });
  $("network").addEventListener("change", () => { step(`network ${$("network").checked ? "back" : "lost"}`); render(); });
  $("signal").addEventListener("input", () => {
    $("signal-value").textContent = `${$("signal").value} dBm`;
    step(`signal ${$("signal").value}`);
  });
  for (const v of [0, 1, 60, 3600]) $(`speed-${v}`).addEventListener("click", () => setSpeed(v));
  $("next-event").addEventListener("click", () => { pg.next_event(); render(); });
}

function start() {
  wasm_bindgen.initSync({ module: base64ToBytes(ISOCKET_PLAYGROUND_WASM) });
  pg = new wasm_bindgen.Playground();
  wire();
  render();
  window.playgroundReady = true;
  requestAnimationFrame(frame);
}

start();
