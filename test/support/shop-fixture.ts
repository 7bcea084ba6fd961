export const shopCart = [
  'import { salesTax } from "./tax.js";',
  "",
  "/** The total of a cart in cents: each line's price times its quantity, plus sales tax. */",
  "export function cartTotal(items, rate) {",
  "  const subtotal = items.reduce((sum, item) => sum + item.price * item.quantity, 0);",
  "  return subtotal + salesTax(subtotal, rate);",
  "}",
  "",
  "/** Adds an item to the cart, or raises the quantity when the product is already in it. */",
  "export function addItem(cart, item) {",
  "  const line = cart.find((l) => l.sku === item.sku);",
  "  if (line) line.quantity += item.quantity;",
  "  else cart.push({ ...item });",
  "  return cart;",
  "}",
  "",
].join("\n");

export const shopTax = [
  "export const DEFAULT_RATE = 0.2;",
  "",
  "/** Sales tax on an amount in cents, rounded to the nearest cent. */",
  "export function salesTax(amount, rate = DEFAULT_RATE) {",
  "  return Math.floor(amount * rate);",
  "}",
  "",
].join("\n");

export const shopFormat = [
  "/** Formats cents as a price with its currency symbol: 1234 becomes €12.34. */",
  'export function formatPrice(cents, currency = "EUR") {',
  '  const symbol = currency === "EUR" ? "€" : "$";',
  "  return `${symbol}${(cents / 100).toFixed(2)}`;",
  "}",
  "",
].join("\n");

/** A small shop with three documented modules: real-looking code for the index and review tests. */
export const shopProject: Record<string, string> = {
  "README.md": "# widgets\n\nA small shop: carts, sales tax and prices.\n",
  "src/cart.js": shopCart,
  "src/tax.js": shopTax,
  "src/format.js": shopFormat,
};
