#!/usr/bin/env node
// Sell one item through the kiosk's host API (docs/hostapi/openapi.yaml), with Node's fetch.
//
//     node controller.mjs --url http://127.0.0.1:8765 --token TOKEN --amount 150
//
// Prints the sale's final state; exit 0 only when paid (processed, no refund needed),
// 1 when not paid, 2 when the outcome is still unknown at --give-up.
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";

const FINAL = new Set(["processed", "failed", "cancelled"]); // `unknown` may still become one
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One call, repeated while the kiosk starts (503) or cannot be reached. Repeating is safe:
// reads change nothing, and a create carries the same external_id, so a lost answer
// returns the sale it made instead of charging again.
async function call(url, init, giveUp, seconds = 10) {
  for (;;) {
    let why;
    try {
      const answer = await fetch(url, { ...init, signal: AbortSignal.timeout(seconds * 1000) });
      const body = await answer.json();
      if (answer.status !== 503) return { status: answer.status, body };
      why = body.message;
    } catch (error) {
      why = error.cause?.code ?? error.name; // ECONNREFUSED, ECONNRESET, TimeoutError
    }
    if (Date.now() > giveUp) {
      console.log(`unknown: the kiosk did not answer in time (${why})`); // a create may have gone through
      process.exit(2);
    }
    console.error(`waiting for the kiosk: ${why}`);
    await sleep(1000);
  }
}

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    token: { type: "string" },
    amount: { type: "string" },
    "give-up": { type: "string", default: "600" },
  },
});
if (!args.url || !args.token || !args.amount) {
  console.error("usage: controller.mjs --url URL --token TOKEN --amount TENGE [--give-up S]");
  process.exit(64);
}
const giveUp = Date.now() + Number(args["give-up"]) * 1000;
const headers = { Authorization: `Bearer ${args.token}`, "Content-Type": "application/json" };
const base = `${args.url.replace(/\/+$/, "")}/v1`;
// One id per purchase, made before the first try and kept for every retry.
const order = { amount: args.amount, external_id: `order-${randomUUID()}` };
const created = await call(`${base}/sales`, { method: "POST", headers, body: JSON.stringify(order) }, giveUp);
if (created.status !== 200 && created.status !== 201) {
  console.log(`refused: ${created.status} ${created.body.error}`);
  process.exit(1);
}
let sale = created.body;
console.log(`sale ${sale.sale_id}: ${sale.amount} tenge, ${sale.state}`);
while (!FINAL.has(sale.state) && Date.now() < giveUp) {
  const query = new URLSearchParams({ wait: "30", state: sale.state }); // answers once it moves on
  sale = (await call(`${base}/sales/${sale.sale_id}?${query}`, { headers }, giveUp, 40)).body;
  console.log(`  -> ${sale.state}`);
}
const paid = sale.state === "processed" && !sale.needs_refund;
console.log(paid ? sale.state : `${sale.state} (${sale.reason})`);
process.exit(paid ? 0 : FINAL.has(sale.state) ? 1 : 2);
