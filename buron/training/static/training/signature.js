// Drawn signatures: a canvas inside a form marked data-signature-form; on submit the
// drawing is written, as a PNG data URL, into the form's hidden "signature" field.
// Without JavaScript the canvas stays hidden and the code sent by email is the way to sign.
(function () {
  "use strict";
  document.querySelectorAll("form[data-signature-form]").forEach(function (form) {
    var canvas = form.querySelector("canvas");
    var field = form.querySelector("input[name$='signature']");
    if (!canvas || !field) { return; }
    form.querySelectorAll("[data-signature-pad]").forEach(function (el) { el.hidden = false; });
    var ctx = canvas.getContext("2d");
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#111";
    var drawing = false;
    var drawn = false;
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      canvas.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      drawn = true;
      event.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        field.value = "";
      });
    }
    form.addEventListener("submit", function () {
      field.value = drawn ? canvas.toDataURL("image/png") : "";
    });
  });
})();
