#!/usr/bin/env bash
# Refreshes the vendored app icons (src/Patchbay.Server/Apps/Icons/<catalog slug>.svg) from the npm package
# simple-icons 16 (CC0-1.0). src/Patchbay.Server/Apps/Icons/simple-icons.json maps every catalog app to its
# simple-icons slug, or to null where simple-icons has no icon for it (those apps get a generated letter tile).
# Each icon is simple-icons' SVG with the brand colour simple-icons gives set as its fill.
#   tools/refresh-icons.sh            install simple-icons@16 in a temporary folder and copy the mapped icons
#   tools/refresh-icons.sh --check    the same, but write nothing: report what would change (exit 1 if anything would)
# Either way it notes every app mapped to null that simple-icons now seems to carry: an icon whose slug, title or
# aliases (other names, duplicates, localized titles) match the app's catalog slug or name, compared on letters and
# digits only, a trailing domain (.com, .io…) ignored: `monday` ~ "monday.com", `microsoft-outlook` ~ "Microsoft Outlook".
# A note is a hint for a person to look at the icon, never mapped automatically (a name can be another brand's).
# Needs Node.js 20 and npm. Commit the result; the server embeds the folder at build time.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
case "${1:-}" in
  "") ;;
  --check) check=1 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error --no-save simple-icons@16 >/dev/null

node - "$tmp/node_modules/simple-icons" src/Patchbay.Server/Apps "$check" <<'JS'
const fs = require("fs");
const path = require("path");
const [packageDir, appsDir, checkArg] = process.argv.slice(2);
const check = checkArg === "1";
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
const catalogName = (app) => JSON.parse(fs.readFileSync(path.join(appsDir, "Catalog", `${app}.json`), "utf8")).name ?? app;

// Names compared on letters and digits only, accents and a trailing domain dropped ("monday.com" → "monday").
const nameKey = (name) => String(name).trim().replace(/\.(com|io|ai|app|co|net|org)$/i, "")
  .normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]/g, "");
// Every name simple-icons knows an icon by: its slug, title, other names (aka), duplicates' and localized titles.
const namesOf = (icon) => [slugOf(icon), icon.title, ...(icon.aliases?.aka ?? []),
  ...(icon.aliases?.dup ?? []).map((d) => d.title), ...Object.values(icon.aliases?.loc ?? {})];
const iconsByKey = new Map();
for (const icon of data) {
  for (const name of namesOf(icon)) {
    const key = nameKey(name);
    if (key === "") continue;
    if (!iconsByKey.has(key)) iconsByKey.set(key, new Map());
    iconsByKey.get(key).set(slugOf(icon), icon.title);
  }
}
// simple-icons' icons that may be this app's mark: by its catalog slug or its catalog name.
const candidatesFor = (app) => {
  const found = new Map();
  for (const key of new Set([nameKey(app), nameKey(catalogName(app))])) for (const [slug, title] of iconsByKey.get(key) ?? []) found.set(slug, title);
  return found;
};
const problems = [];
for (const app of catalog) if (!(app in map.apps)) problems.push(`${app}: not in ${mapFile} (give its simple-icons slug, or null)`);
for (const app of Object.keys(map.apps)) if (!catalog.includes(app)) problems.push(`${app}: in ${mapFile} but not in the catalog`);

let copied = 0;
const changes = [];
for (const [app, slug] of Object.entries(map.apps)) {
  const target = path.join(iconsDir, `${app}.svg`);
  if (slug === null) {
    if (fs.existsSync(target)) { changes.push(`${app}: remove ${target} (mapped to null)`); if (!check) fs.rmSync(target); }
    for (const [candidate, title] of candidatesFor(app)) {
      console.log(`note: simple-icons ${pkg.version} has "${title}" (${candidate}.svg) for ${app} (${catalogName(app)}); map "${app}": "${candidate}" in ${mapFile} if it is this app's mark`);
    }
    continue;
  }
  const source = path.join(packageDir, "icons", `${slug}.svg`);
  if (!fs.existsSync(source) || !hex.has(slug)) { problems.push(`${app}: simple-icons ${pkg.version} has no icon ${slug}`); continue; }
  if (license.has(slug) && license.get(slug) !== "CC0-1.0") { problems.push(`${app}: simple-icons lists ${slug} under ${license.get(slug)}, not CC0`); continue; }
  const svg = fs.readFileSync(source, "utf8").trim();
  if (!svg.startsWith("<svg ")) { problems.push(`${app}: ${source} does not start with <svg`); continue; }
  const icon = `<svg fill="#${hex.get(slug)}" ${svg.slice(5)}\n`;
  if (!fs.existsSync(target) || fs.readFileSync(target, "utf8") !== icon) { changes.push(`${app}: ${target} differs from simple-icons ${pkg.version}'s ${slug}.svg`); if (!check) fs.writeFileSync(target, icon); }
  copied++;
}
if (problems.length > 0) { console.error(problems.join("\n")); process.exit(1); }
if (map.version !== pkg.version) changes.push(`${mapFile}: version ${map.version} → ${pkg.version}`);
if (check) {
  if (changes.length > 0) { console.log(changes.join("\n")); console.log(`simple-icons ${pkg.version}: ${changes.length} change(s) to make (run without --check)`); process.exit(1); }
  console.log(`simple-icons ${pkg.version}: the ${copied} vendored icons are up to date, ${catalog.length - copied} apps with letter tiles`);
  process.exit(0);
}
map.version = pkg.version;
fs.writeFileSync(mapFile, JSON.stringify(map, null, 2) + "\n");
if (changes.length > 0) console.log(changes.join("\n"));
console.log(`simple-icons ${pkg.version}: ${copied} icons in ${iconsDir}, ${catalog.length - copied} apps with letter tiles`);
JS
