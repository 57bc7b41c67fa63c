// The periodic-task form in the admin (django-celery-beat): the crontab's help text also says in words what the
// chosen schedule means. Was an inline script in django-celery-beat's template; served from here for the CSP.
// Text is inserted as text, never as HTML.
"use strict";
(function () {
  const $ = django.jQuery;
  const script = document.getElementById("periodic-task-overrides");
  const data = document.getElementById("readable-crontabs");
  if (!script || !data) {
    return;
  }
  const readableCrontabs = JSON.parse(data.textContent);
  const originalHelp = script.dataset.crontabHelp || "";
  const inWords = script.dataset.inWords || "";  // the label, in the page's language (the description is English)

  function updateCrontabHelp(translation) {
    const help = $(".field-crontab .help");
    help.empty().append(document.createTextNode(originalHelp));
    if (translation) {
      help.append(document.createElement("br"), document.createTextNode(inWords + " " + translation));
    }
  }

  $(function () {
    $(".field-crontab_translation").hide();
    $(".field-crontab").on("change", function () {
      updateCrontabHelp(readableCrontabs[$("#id_crontab").val()]);
    });
  });
})();
