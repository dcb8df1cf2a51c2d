// Nexus workbench: small progressive enhancements; every page works without this file.
"use strict";

// Network: hovering an actor fades everything not linked to it.
function focusNetwork(svg) {
  const nodes = svg.querySelectorAll(".node");
  const edges = svg.querySelectorAll(".edge");
  function clear() {
    svg.classList.remove("focusing");
    svg.querySelectorAll(".linked").forEach((el) => el.classList.remove("linked"));
  }
  nodes.forEach((node) => {
    const key = node.dataset.key;
    node.addEventListener("mouseenter", () => {
      clear();
      svg.classList.add("focusing");
      node.classList.add("linked");
      edges.forEach((edge) => {
        if (edge.dataset.source === key || edge.dataset.target === key) {
          edge.classList.add("linked");
          const other = edge.dataset.source === key ? edge.dataset.target : edge.dataset.source;
          svg.querySelectorAll(".node").forEach((n) => { if (n.dataset.key === other) n.classList.add("linked"); });
        }
      });
    });
    node.addEventListener("mouseleave", clear);
  });
}

// Document: hovering an event in the list marks its sentence in the text.
function linkDocumentEvents() {
  const text = document.getElementById("document-text");
  if (!text) return;
  document.querySelectorAll("#document-events .evidence-item").forEach((item) => {
    const link = item.querySelector("a.doc-link");
    if (!link) return;
    const id = link.hash.slice(1);
    const sentence = document.getElementById(id);
    if (!sentence) return;
    item.addEventListener("mouseenter", () => sentence.classList.add("active"));
    item.addEventListener("mouseleave", () => sentence.classList.remove("active"));
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("svg.network").forEach(focusNetwork);
  linkDocumentEvents();
});
