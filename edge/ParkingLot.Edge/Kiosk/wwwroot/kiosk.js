// The kiosk page: talks only to this agent (/kiosk/api), so it works with the network down.
"use strict";

const $ = (id) => document.getElementById(id);
let currentCode = null;
let cashSession = null;
let cashTimer = null;

async function api(method, path, body) {
  const response = await fetch("/kiosk/api" + path, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const problem = data || {};
    throw new Error(problem.detail || problem.title || ("Error " + response.status));
  }
  return data;
}

function show(id, visible) { $(id).classList.toggle("hidden", !visible); }

function say(text, kind) {
  const box = $("message");
  box.textContent = text;
  box.className = "panel" + (kind ? " " + kind : "");
  show("message", true);
}

function reset() {
  currentCode = null;
  cashSession = null;
  clearInterval(cashTimer);
  ["fee", "cash", "message", "start-over"].forEach((id) => show(id, false));
  show("lost", true);
  $("code").value = "";
  $("code").focus();
}

function drawFee(title, quote, due, canPay, message) {
  $("fee-summary").textContent = title;
  const table = $("fee-lines");
  table.replaceChildren(...quote.lines.map((line) => {
    const row = document.createElement("tr");
    const what = document.createElement("td");
    what.textContent = line.description;
    const amount = document.createElement("td");
    amount.className = "amount";
    amount.textContent = line.amount.text;
    row.append(what, amount);
    return row;
  }));
  $("fee-due").textContent = due.text;
  $("pay-card").disabled = !canPay || !window.kiosk.card;
  $("pay-cash").disabled = !canPay || !window.kiosk.cash;
  show("fee", true);
  show("start-over", true);
  show("lost", false);
  if (message) say(message, canPay ? "" : "ok");
}

async function lookUp(event) {
  event.preventDefault();
  const code = $("code").value.trim();
  try {
    const ticket = await api("POST", "/tickets/lookup", { code });
    currentCode = code;
    const since = ticket.enteredAt ? new Date(ticket.enteredAt).toLocaleString() : "unknown";
    drawFee("Ticket " + ticket.ticketId + " (" + ticket.vehicleType + "), in since " + since, ticket.quote, ticket.due, ticket.canPay, ticket.message);
  } catch (error) {
    show("fee", false);
    say(error.message, "error");
  }
}

async function lostTicket(vehicleType) {
  try {
    const quote = await api("POST", "/lost-ticket/quote", { vehicleType });
    drawFee("Lost ticket (" + vehicleType + ")", quote, quote.total, false,
      "The lost-ticket fee is " + quote.total.text + ". Please ask the attendant, who will issue a replacement ticket.");
  } catch (error) {
    say(error.message, "error");
  }
}

async function payCard() {
  $("pay-card").disabled = true;
  say("Follow the instructions on the card terminal…");
  try {
    const payment = await api("POST", "/pay/card", { code: currentCode });
    show("fee", false);
    say(payment.message, "ok");
  } catch (error) {
    say(error.message, "error");
    $("pay-card").disabled = false;
  }
}

function drawCash(session) {
  cashSession = session;
  const inserted = session.counting.minor > 0 ? session.counting : session.inserted;
  $("cash-inserted").textContent = inserted.text;
  $("cash-due").textContent = session.due.text;
  $("cash-message").textContent = session.message;
  if (session.state !== "waiting") {
    clearInterval(cashTimer);
    show("cash", false);
    say(session.message, session.state === "paid" ? "ok" : "");
  }
}

async function payCash() {
  try {
    const session = await api("POST", "/pay/cash", { code: currentCode });
    show("fee", false);
    show("cash", true);
    drawCash(session);
    cashTimer = setInterval(async () => {
      try { drawCash(await api("GET", "/pay/cash/" + session.sessionId)); } catch (error) { say(error.message, "error"); }
    }, 500);
  } catch (error) {
    say(error.message, "error");
  }
}

async function cancelCash() {
  if (!cashSession) return;
  try { drawCash(await api("POST", "/pay/cash/" + cashSession.sessionId + "/cancel")); } catch (error) { say(error.message, "error"); }
}

async function start() {
  window.kiosk = await api("GET", "/info");
  $("lot-name").textContent = window.kiosk.lotName;
  $("lost-types").replaceChildren(...window.kiosk.vehicleTypes.map((type) => {
    const button = document.createElement("button");
    button.textContent = type;
    button.addEventListener("click", () => lostTicket(type));
    return button;
  }));
  show("simulation", window.kiosk.simulation);
}

$("ticket-form").addEventListener("submit", lookUp);
$("pay-card").addEventListener("click", payCard);
$("pay-cash").addEventListener("click", payCash);
$("cash-cancel").addEventListener("click", cancelCash);
$("start-over").addEventListener("click", reset);
$("sim-decline").addEventListener("click", () => api("POST", "/simulation/card/decline-next", { reason: "insufficient funds (simulated)" }));
document.querySelectorAll("#simulation [data-pulses]").forEach((button) =>
  button.addEventListener("click", () => api("POST", "/simulation/coins", { pulses: Number(button.dataset.pulses) })));
start().catch((error) => say(error.message, "error"));
