// Move focus to a form's error summary after a failed submit, so keyboard and
// screen-reader users start from the list of problems (focusing also scrolls
// it into view).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
