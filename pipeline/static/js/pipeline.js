// Marks the page as having JavaScript, then starts GOV.UK Frontend's components.
// Loaded as a module at the end of <body>; nothing here is needed for any flow to work.
import { initAll } from "./vendor/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
initAll();
