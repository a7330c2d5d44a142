/*
 * Passkey fields (kind "passkey"): run the WebAuthn ceremony whose options the server put in
 * data-passkey-options, write the browser's answer (JSON) into the field's hidden input and
 * submit the form with the pressed button, so htmx's hx-post (or a plain post) carries it.
 *
 * A button runs the ceremony when its action has the field's name, or when the field is required
 * and the button validates the form. Where the browser supports conditional mediation and the
 * form has an input with autocomplete "... webauthn", a sign-in also starts in the background so
 * passkeys are offered in the email field's autofill. CSP: loaded from 'self', no eval, no inline.
 */
(function () {
  "use strict";

  const UNSUPPORTED = "This browser cannot use passkeys. Use another sign-in method, or a browser that supports passkeys.";
  const CANCELLED = "No passkey was used (the request was cancelled or timed out). Try again.";
  const ALREADY = "This device already holds a passkey for your account.";
  const INSECURE = "Passkeys need a secure address: open this site at https:// or http://localhost, not at an IP address.";
  let background = null; // AbortController of a pending conditional (autofill) request

  function b64urlToBuffer(value) {
    const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
  }

  function bufferToB64url(buffer) {
    let text = "";
    for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function isCreation(options) {
    return Object.prototype.hasOwnProperty.call(options, "user");
  }

  function decodeOptions(options) {
    if (isCreation(options)) {
      if (PublicKeyCredential.parseCreationOptionsFromJSON) {
        return PublicKeyCredential.parseCreationOptionsFromJSON(options);
      }
      return Object.assign({}, options, {
        challenge: b64urlToBuffer(options.challenge),
        user: Object.assign({}, options.user, { id: b64urlToBuffer(options.user.id) }),
        excludeCredentials: (options.excludeCredentials || []).map((c) =>
          Object.assign({}, c, { id: b64urlToBuffer(c.id) })),
      });
    }
    if (PublicKeyCredential.parseRequestOptionsFromJSON) {
      return PublicKeyCredential.parseRequestOptionsFromJSON(options);
    }
    return Object.assign({}, options, {
      challenge: b64urlToBuffer(options.challenge),
      allowCredentials: (options.allowCredentials || []).map((c) =>
        Object.assign({}, c, { id: b64urlToBuffer(c.id) })),
    });
  }

  function encodeCredential(credential) {
    if (typeof credential.toJSON === "function") return JSON.stringify(credential.toJSON());
    const r = credential.response;
    const response = { clientDataJSON: bufferToB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = bufferToB64url(r.attestationObject);
      response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
    } else {
      response.authenticatorData = bufferToB64url(r.authenticatorData);
      response.signature = bufferToB64url(r.signature);
      if (r.userHandle) response.userHandle = bufferToB64url(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id,
      rawId: bufferToB64url(credential.rawId),
      type: credential.type,
      response: response,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
    });
  }

  function supported() {
    return typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
  }

  // Progress is a notice; a failure is an error (styled and announced as one, never in green).
  function say(field, message, failed) {
    const status = field.querySelector("[data-passkey-status]");
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("error", !!failed);
    status.classList.toggle("notice", !failed);
    status.setAttribute("role", failed ? "alert" : "status");
  }

  function failure(error) {
    if (error && error.name === "InvalidStateError") return ALREADY;
    if (error && error.name === "SecurityError") return INSECURE;
    return CANCELLED;
  }

  function triggers(field, button) {
    if (!button || button.type !== "submit") return false;
    if (button.value === field.dataset.passkeyField) return true;
    return field.dataset.passkeyRequired === "true" && !button.hasAttribute("formnovalidate");
  }

  function buttonFor(field) {
    const form = field.closest("form");
    return Array.from(form.querySelectorAll("button[type=submit]")).find((b) => triggers(field, b));
  }

  function submitWith(field, button, answer) {
    const form = field.closest("form");
    field.querySelector("input[type=hidden]").value = answer;
    let action = form.querySelector("input[type=hidden][name=action]");
    if (!action) {
      action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      form.appendChild(action);
    }
    action.value = button.value;
    form.requestSubmit(button);
  }

  async function ceremony(field, mediation, signal) {
    const options = decodeOptions(JSON.parse(field.dataset.passkeyOptions));
    if (isCreation(options)) return navigator.credentials.create({ publicKey: options });
    const request = { publicKey: options };
    if (mediation) request.mediation = mediation;
    if (signal) request.signal = signal;
    return navigator.credentials.get(request);
  }

  async function onClick(event) {
    const button = event.target.closest("button[type=submit]");
    const form = button && button.form;
    const field = form && form.querySelector("[data-passkey-field]");
    if (!field || !triggers(field, button)) return;
    if (field.querySelector("input[type=hidden]").value) return; // answered: let it submit
    event.preventDefault();
    if (!supported()) {
      say(field, UNSUPPORTED, true);
      return;
    }
    if (background) background.abort();
    say(field, "Follow your browser's prompt to use your passkey…");
    try {
      const credential = await ceremony(field);
      if (!credential) throw new Error("no credential");
      say(field, "");
      submitWith(field, button, encodeCredential(credential));
    } catch (error) {
      say(field, failure(error), true);
    }
  }

  async function offerAutofill(root) {
    const field = root.querySelector("[data-passkey-field]");
    const form = field && field.closest("form");
    if (!form || !form.querySelector("input[autocomplete~=webauthn]")) return;
    if (!supported()) {
      say(field, UNSUPPORTED, true);
      return;
    }
    const options = JSON.parse(field.dataset.passkeyOptions || "{}");
    if (isCreation(options) || typeof PublicKeyCredential.isConditionalMediationAvailable !== "function") return;
    if (!(await PublicKeyCredential.isConditionalMediationAvailable())) return;
    if (background) background.abort();
    background = new AbortController();
    try {
      const credential = await ceremony(field, "conditional", background.signal);
      if (credential && document.contains(field)) {
        submitWith(field, buttonFor(field), encodeCredential(credential));
      }
    } catch (error) {
      // Aborted (the customer pressed a button or the screen changed) or dismissed: nothing to do.
    }
  }

  function init(root) {
    const field = root.querySelector("[data-passkey-field]");
    if (!field) return;
    if (!supported()) say(field, UNSUPPORTED, true);
    offerAutofill(root);
  }

  document.addEventListener("click", onClick);
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:afterSettle", (event) => init(event.detail.elt || document));
})();
