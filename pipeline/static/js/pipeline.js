// Marks the page as having JavaScript, then starts GOV.UK Frontend's components.
// Loaded as a module at the end of <body>; nothing here is needed for any flow to work.
import { initAll } from "./vendor/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
initAll();

// A table's scroll box takes focus (tabindex="0", in the HTML) so a keyboard can scroll it.
// When the table fits, there is nothing to scroll: take the box out of the tab order.
const scrollBoxes = document.querySelectorAll(".pipeline-table-scroll");
function tabToScrollBoxesThatScroll() {
  for (const box of scrollBoxes) {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute("tabindex", "0");
    } else if (box !== document.activeElement) {
      box.removeAttribute("tabindex");
    }
  }
}
tabToScrollBoxesThatScroll();
window.addEventListener("resize", tabToScrollBoxesThatScroll);
// A chart's table is inside <details>: it only has a width once opened.
document.addEventListener("toggle", tabToScrollBoxesThatScroll, true);
