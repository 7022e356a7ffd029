// Starts Swagger UI on /docs. A file of its own, not an inline script, so the page's
// Content-Security-Policy can allow scripts from this origin only.
"use strict";

SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  presets: [SwaggerUIBundle.presets.apis],
  deepLinking: true,
  // The Authorize dialog's password flow posts the form to /auth/login (the spec's tokenUrl).
  oauth2RedirectUrl: `${window.location.origin}/docs/oauth2-redirect`,
  // Swagger UI would otherwise show a badge image fetched from validator.swagger.io.
  validatorUrl: null,
});
