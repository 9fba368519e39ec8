// A workflow as a picture: dagre (vendored, see dagre.LICENSE.txt) lays the nodes out, the SVG is drawn here through
// the DOM. Each node is a focusable button: Enter or a click selects it. `marks` colours nodes by status and flags
// the node a validation error names.
import { Graph, layout } from "./dagre.esm.js";
import { h, s } from "./dom.js";

const WIDTH = 168;
const HEIGHT = 52;

export function workflowGraph(definition, { statuses = {}, invalid = null, selected = null, onSelect = null } = {}) {
  const nodes = Array.isArray(definition?.nodes) ? definition.nodes.filter((n) => n && typeof n.id === "string") : [];
  const edges = Array.isArray(definition?.edges) ? definition.edges : [];
  if (nodes.length === 0) return h("p", { class: "empty" }, "This workflow has no nodes yet: add them in the definition below.");

  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 44, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, { width: WIDTH, height: HEIGHT });
  edges.forEach((edge, i) => {
    if (g.hasNode(edge?.source) && g.hasNode(edge?.target)) {
      g.setEdge(edge.source, edge.target, { label: edge.sourceHandle || "", width: edge.sourceHandle ? 40 : 0, height: edge.sourceHandle ? 16 : 0 }, `e${i}`);
    }
  });
  layout(g);
  const { width, height } = g.graph();

  const w = Math.ceil(Math.max(width, WIDTH + 24));
  const ht = Math.ceil(Math.max(height, HEIGHT + 24));
  // Drawn at its natural size (text stays readable), shrunk to fit a narrow screen.
  const svg = s("svg", {
    class: "graph", viewBox: `0 0 ${w} ${ht}`, width: w, height: ht, role: "group",
    "aria-label": `Workflow graph: ${nodes.length} nodes`,
  });
  svg.append(s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
    s("path", { d: "M0 0L10 5L0 10z", class: "arrow" }))));
  for (const e of g.edges()) {
    const edge = g.edge(e);
    const d = edge.points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join("");
    svg.append(s("path", { d, class: "edge", "marker-end": "url(#arrow)" }));
    if (edge.label) svg.append(s("text", { x: edge.x, y: edge.y + 4, class: "edge-label", "text-anchor": "middle" }, edge.label));
  }
  for (const node of nodes) {
    const box = g.node(node.id);
    const state = statuses[node.id];
    const classes = ["node", state ? `node-${String(state).toLowerCase()}` : "", node.id === invalid ? "node-invalid" : "", node.id === selected ? "node-selected" : ""];
    const label = `${node.id} (${node.type || "?"})${state ? `: ${state}` : ""}${node.id === invalid ? ": has a validation error" : ""}`;
    const group = s("g", {
      class: classes.filter(Boolean).join(" "), transform: `translate(${box.x - WIDTH / 2} ${box.y - HEIGHT / 2})`,
      tabindex: 0, role: "button", "aria-label": label, "aria-pressed": node.id === selected ? "true" : "false", dataset: { node: node.id },
    },
    s("title", {}, label),
    s("rect", { width: WIDTH, height: HEIGHT, rx: 8 }),
    s("text", { x: 10, y: 21, class: "node-name" }, clip(node.name || node.id)),
    s("text", { x: 10, y: 40, class: "node-type" }, clip(`${node.type || "?"}${state ? " · " + state : ""}`)));
    if (onSelect) {
      group.addEventListener("click", () => onSelect(node.id));
      group.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          onSelect(node.id);
        }
      });
    }
    svg.append(group);
  }
  return h("div", { class: "graph-wrap" }, svg);
}

const clip = (text) => (String(text).length > 22 ? `${String(text).slice(0, 21)}…` : String(text));
