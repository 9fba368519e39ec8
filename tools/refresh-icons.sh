#!/usr/bin/env bash
# Refreshes the vendored app icons (src/Patchbay.Server/Apps/Icons/<catalog slug>.svg) from the npm package
# simple-icons 16 (CC0-1.0). src/Patchbay.Server/Apps/Icons/simple-icons.json maps every catalog app to its
# simple-icons slug, or to null where simple-icons has no icon for it (those apps get a generated letter tile).
# Each icon is simple-icons' SVG with the brand colour simple-icons gives set as its fill.
#   tools/refresh-icons.sh            install simple-icons@16 in a temporary folder and copy the mapped icons
# Needs Node.js 20 and npm. Commit the result; the server embeds the folder at build time.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error --no-save simple-icons@16 >/dev/null

node - "$tmp/node_modules/simple-icons" src/Patchbay.Server/Apps <<'JS'
const fs = require("fs");
const path = require("path");
const [packageDir, appsDir] = process.argv.slice(2);
const iconsDir = path.join(appsDir, "Icons");
const mapFile = path.join(iconsDir, "simple-icons.json");
const map = JSON.parse(fs.readFileSync(mapFile, "utf8"));
const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"));
const data = JSON.parse(fs.readFileSync(path.join(packageDir, "data", "simple-icons.json"), "utf8"));
// simple-icons derives a slug from the title when the data file gives none.
const slugOf = (icon) => icon.slug ?? icon.title.toLowerCase()
  .replace(/\+/g, "plus").replace(/^\./, "dot-").replace(/\.$/, "-dot").replace(/\./g, "-dot-")
  .replace(/^&/, "and-").replace(/&$/, "-and").replace(/&/g, "-and-")
  .normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]/g, "");
const hex = new Map(data.map((icon) => [slugOf(icon), icon.hex]));
// The package is CC0; an icon that simple-icons lists under a licence of its own is not vendored without a look.
const license = new Map(data.filter((icon) => icon.license).map((icon) => [slugOf(icon), icon.license.type ?? "custom"]));

const catalog = fs.readdirSync(path.join(appsDir, "Catalog")).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
const problems = [];
for (const app of catalog) if (!(app in map.apps)) problems.push(`${app}: not in ${mapFile} (give its simple-icons slug, or null)`);
for (const app of Object.keys(map.apps)) if (!catalog.includes(app)) problems.push(`${app}: in ${mapFile} but not in the catalog`);

let copied = 0;
for (const [app, slug] of Object.entries(map.apps)) {
  const target = path.join(iconsDir, `${app}.svg`);
  if (slug === null) {
    fs.rmSync(target, { force: true });
    if (fs.existsSync(path.join(packageDir, "icons", `${app}.svg`))) console.log(`note: simple-icons now has ${app}.svg; map it if it is this app's mark`);
    continue;
  }
  const source = path.join(packageDir, "icons", `${slug}.svg`);
  if (!fs.existsSync(source) || !hex.has(slug)) { problems.push(`${app}: simple-icons ${pkg.version} has no icon ${slug}`); continue; }
  if (license.has(slug) && license.get(slug) !== "CC0-1.0") { problems.push(`${app}: simple-icons lists ${slug} under ${license.get(slug)}, not CC0`); continue; }
  const svg = fs.readFileSync(source, "utf8").trim();
  if (!svg.startsWith("<svg ")) { problems.push(`${app}: ${source} does not start with <svg`); continue; }
  fs.writeFileSync(target, `<svg fill="#${hex.get(slug)}" ${svg.slice(5)}\n`);
  copied++;
}
if (problems.length > 0) { console.error(problems.join("\n")); process.exit(1); }
map.version = pkg.version;
fs.writeFileSync(mapFile, JSON.stringify(map, null, 2) + "\n");
console.log(`simple-icons ${pkg.version}: ${copied} icons in ${iconsDir}, ${catalog.length - copied} apps with letter tiles`);
JS
