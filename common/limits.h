/*
 * limits.h: every size cap applied to untrusted input, in one place.
 *
 * A buffer fed by a resident, a bundle or an editor's file gets one of these
 * as its cap (tc_buf_setcap) so no single input can take the machine's memory.
 */
#ifndef TC_LIMITS_H
#define TC_LIMITS_H

/* A Markdown page, YAML file or template read from content/ or themes/. */
#define TC_MAX_SOURCE_FILE (8u * 1024 * 1024)
/* A JSON document from a bundle (submission.json, manifest.json). */
#define TC_MAX_JSON_FILE (16u * 1024 * 1024)
/* Nesting of YAML collections, JSON values and template sections. */
#define TC_MAX_DEPTH 64
/* Rendered output of one template (one page). */
#define TC_MAX_RENDER (64u * 1024 * 1024)
/*
 * Steps of one template render (each tag or text run, each list item a
 * section is entered for). Sections nested over lists multiply: eight deep
 * over ten items is 10^8 steps that may print nothing.
 */
#define TC_MAX_RENDER_STEPS (4u * 1024 * 1024)
/* Partials and parents nested inside each other while rendering. */
#define TC_MAX_PARTIAL_DEPTH 32
/*
 * What one submission may carry, wherever it travels: intake serve accepts
 * no more, intake bundle packs no more, casework ingests no more. Part of
 * the bundle format (docs/bundle.md).
 */
/* One attachment, or any one entry of a bundle. */
#define TC_MAX_BUNDLE_ENTRY (64u * 1024 * 1024)
/* A submission's submission.json. */
#define TC_MAX_SUBMISSION_JSON (1u * 1024 * 1024)
/* Attachments in one submission (files/1 to files/N). */
#define TC_MAX_SUBMISSION_FILES 64
/* Number of nodes a YAML document may hold (guards against huge flat input). */
#define TC_MAX_YAML_NODES 1000000u

#endif
