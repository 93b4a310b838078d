/*
 * forms_render.c: a form definition as accessible HTML (tc_form_render, see
 * forms.h), in the markup of docs/theme.md, "Form components": sections as
 * fieldsets, labels, hints, inputs filled back in with the resident's
 * answers, and, after a failed post, an error summary and a message by each
 * field at fault.
 */
#include "forms_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "escape.h"

struct render {
	struct tc_buf *out;		   /* where the HTML goes */
	int failed;			   /* an append failed: stop */
	const struct tc_form *f;	   /* the form */
	const cJSON *values;		   /* answers to fill back, or NULL */
	const struct tc_form_errors *errs; /* problems to show, or NULL */
};

/* Appends trusted markup. */
static void emit(struct render *r, const char *s)
{
	if (!r->failed && tc_buf_adds(r->out, s) < 0)
		r->failed = 1;
}

/* Appends markup from a format; only for names, ids and numbers. */
static void emitf(struct render *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void emitf(struct render *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	va_start(ap, fmt);
	if (tc_buf_vaddf(r->out, fmt, ap) < 0)
		r->failed = 1;
	va_end(ap);
}

/* Appends text escaped for element content. */
static void emit_html(struct render *r, const char *s)
{
	if (!r->failed && tc_esc_html(r->out, s, strlen(s)) < 0)
		r->failed = 1;
}

/* Appends text escaped for a quoted attribute value. */
static void emit_attr(struct render *r, const char *s)
{
	if (!r->failed && tc_esc_attr(r->out, s, strlen(s)) < 0)
		r->failed = 1;
}

/* The error shown for a field, or NULL. */
static const struct tc_field_error *error_for(const struct render *r,
					      const char *name)
{
	size_t i;

	for (i = 0; r->errs && i < r->errs->n; i++)
		if (r->errs->v[i].field && !strcmp(r->errs->v[i].field, name))
			return &r->errs->v[i];
	return NULL;
}

/* The answer for name when it is a string, else NULL. */
static const char *value_str(const struct render *r, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->values, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The id of option k of fd: NAME for the first, NAME-2, NAME-3 after. */
static void emit_option_id(struct render *r, const struct field *fd, size_t k)
{
	if (k == 0)
		emit(r, fd->name);
	else
		emitf(r, "%s-%zu", fd->name, k + 1);
}

/*
 * Writes aria-describedby for the field's hint, error and extra ids (extra
 * may be NULL), or nothing when there are none.
 */
static void emit_describedby(struct render *r, const struct field *fd, int hint,
			     const struct tc_field_error *e, const char *extra)
{
	const char *sep = "";

	if (!hint && !e && !extra)
		return;
	emit(r, " aria-describedby=\"");
	if (hint) {
		emitf(r, "%s-hint", fd->name);
		sep = " ";
	}
	if (e) {
		emitf(r, "%s%s-error", sep, fd->name);
		sep = " ";
	}
	if (extra) {
		emit(r, sep);
		emit(r, extra);
	}
	emit(r, "\"");
}

static void emit_hint(struct render *r, const struct field *fd)
{
	if (!fd->hint)
		return;
	emitf(r, "<div class=\"hint\" id=\"%s-hint\">", fd->name);
	emit_html(r, fd->hint);
	emit(r, "</div>\n");
}

static void emit_error(struct render *r, const struct field *fd,
		       const struct tc_field_error *e)
{
	if (!e)
		return;
	emitf(r,
	      "<p class=\"error-message\" id=\"%s-error\"><span "
	      "class=\"visually-hidden\">Error:</span> ",
	      fd->name);
	emit_html(r, e->message ? e->message : "");
	emit(r, "</p>\n");
}

static void open_group(struct render *r, const struct tc_field_error *e)
{
	emit(r, e ? "<div class=\"form-group form-group--error\">\n"
		  : "<div class=\"form-group\">\n");
}

static void emit_label(struct render *r, const struct field *fd)
{
	emitf(r, "<label class=\"label\" for=\"%s\">", fd->name);
	emit_html(r, fd->label);
	emit(r, "</label>\n");
}

static void render_text(struct render *r, const struct field *fd,
			const struct tc_field_error *e)
{
	const char *type = "text", *ac = fd->autocomplete;
	const char *v = value_str(r, fd->name);
	int width = fd->width;

	if (fd->type == FT_EMAIL) {
		type = "email";
		ac = ac ? ac : "email";
	} else if (fd->type == FT_TEL) {
		type = "tel";
		ac = ac ? ac : "tel";
	} else if (fd->type == FT_POSTCODE) {
		ac = ac ? ac : "postal-code";
		width = width ? width : 10;
	}
	open_group(r, e);
	emit_label(r, fd);
	emit_hint(r, fd);
	emit_error(r, fd, e);
	emit(r, "<input class=\"input");
	if (width > 0)
		emitf(r, " input--width-%d", width);
	else if (width < 0)
		emit(r, " input--width-full");
	if (e)
		emit(r, " input--error");
	emitf(r, "\" id=\"%s\" name=\"%s\" type=\"%s\"", fd->name, fd->name,
	      type);
	if (fd->type == FT_EMAIL || fd->type == FT_POSTCODE)
		emit(r, " spellcheck=\"false\"");
	if (ac)
		emitf(r, " autocomplete=\"%s\"", ac);
	if (v) {
		emit(r, " value=\"");
		emit_attr(r, v);
		emit(r, "\"");
	}
	emit_describedby(r, fd, fd->hint != NULL, e, NULL);
	if (e)
		emit(r, " aria-invalid=\"true\"");
	emit(r, ">\n</div>\n");
}

static void render_textarea(struct render *r, const struct field *fd,
			    const struct tc_field_error *e)
{
	const char *v = value_str(r, fd->name);
	char info[MAX_NAME + 8];

	snprintf(info, sizeof(info), "%s-info", fd->name);
	emitf(r,
	      "<div class=\"character-count\" data-module=\"character-count\" "
	      "data-maxlength=\"%zu\">\n",
	      fd->max_length);
	open_group(r, e);
	emit_label(r, fd);
	emit_hint(r, fd);
	emit_error(r, fd, e);
	emitf(r,
	      "<textarea class=\"textarea%s\" id=\"%s\" name=\"%s\" "
	      "rows=\"%d\"",
	      e ? " textarea--error" : "", fd->name, fd->name, fd->rows);
	if (fd->autocomplete)
		emitf(r, " autocomplete=\"%s\"", fd->autocomplete);
	emit_describedby(r, fd, fd->hint != NULL, e, info);
	if (e)
		emit(r, " aria-invalid=\"true\"");
	emit(r, ">");
	if (v)
		emit_html(r, v);
	emitf(r,
	      "</textarea>\n</div>\n<div class=\"hint "
	      "character-count__message\" id=\"%s\">You can enter up to %zu "
	      "characters</div>\n</div>\n",
	      info, fd->max_length);
}

/* Splits a date value "Y-M-D" into its parts (each empty when absent). */
static void date_parts(const char *v, char parts[3][16])
{
	const char *p = v ? v : "", *dash;
	size_t n;
	int i;

	for (i = 0; i < 3; i++)
		parts[i][0] = '\0';
	for (i = 0; i < 3; i++) {
		dash = i < 2 ? strchr(p, '-') : NULL;
		if (i < 2 && !dash)
			break;
		n = dash ? (size_t)(dash - p) : strlen(p);
		if (n < 16) {
			memcpy(parts[i], p, n);
			parts[i][n] = '\0';
		}
		p = dash ? dash + 1 : p + n;
	}
	/* A stored date is zero-padded ("2026-01-05"); show the month and
	 * day as people type them ("1", "5"). */
	for (i = 1; i < 3; i++) {
		char *d = parts[i];

		while (d[0] == '0' && d[1] >= '0' && d[1] <= '9')
			memmove(d, d + 1, strlen(d));
	}
}

/* 1 when a date part has 1 to maxlen digits and lies in [lo, hi]. */
static int part_ok(const char *s, size_t maxlen, long lo, long hi)
{
	size_t n = strlen(s);
	long v;

	if (n == 0 || n > maxlen)
		return 0;
	v = tc_form_num_n(s, n);
	return v >= lo && v <= hi;
}

static void render_date(struct render *r, const struct field *fd,
			const struct tc_field_error *e)
{
	static const char *const names[3] = {"day", "month", "year"};
	static const char *const labels[3] = {"Day", "Month", "Year"};
	char parts[3][16]; /* year, month, day */
	int bad[3] = {0, 0, 0}, i, idx, any = 0;
	const char *v = value_str(r, fd->name);

	date_parts(v, parts);
	if (e) {
		/* mark the parts that cannot be right, or all three */
		if (v) {
			bad[0] = !part_ok(parts[2], 2, 1, 31);
			bad[1] = !part_ok(parts[1], 2, 1, 12);
			bad[2] = !part_ok(parts[0], 4, 1000, 9999);
			any = bad[0] | bad[1] | bad[2];
		}
		if (!any)
			bad[0] = bad[1] = bad[2] = 1;
	}
	open_group(r, e);
	emit(r, "<fieldset class=\"fieldset\"");
	emit_describedby(r, fd, 1, e, NULL);
	emit(r, ">\n<legend class=\"fieldset__legend\">");
	emit_html(r, fd->label);
	emit(r, "</legend>\n");
	emitf(r, "<div class=\"hint\" id=\"%s-hint\">", fd->name);
	emit_html(r, fd->hint ? fd->hint : "For example, 27 3 2026");
	emit(r, "</div>\n");
	emit_error(r, fd, e);
	emit(r, "<div class=\"date-input\">\n");
	for (i = 0; i < 3; i++) {
		idx = 2 - i; /* parts are year, month, day */
		emitf(r,
		      "<div class=\"date-input__item%s\">\n<label "
		      "class=\"date-input__label\" for=\"%s-%s\">%s</label>\n"
		      "<input class=\"input date-input__input%s\" "
		      "id=\"%s-%s\" name=\"%s-%s\" type=\"text\" "
		      "inputmode=\"numeric\"",
		      i == 2 ? " date-input__item--year" : "", fd->name,
		      names[i], labels[i], bad[i] ? " input--error" : "",
		      fd->name, names[i], fd->name, names[i]);
		if (fd->autocomplete && !strcmp(fd->autocomplete, "bday"))
			emitf(r, " autocomplete=\"bday-%s\"", names[i]);
		if (parts[idx][0]) {
			emit(r, " value=\"");
			emit_attr(r, parts[idx]);
			emit(r, "\"");
		}
		if (bad[i])
			emit(r, " aria-invalid=\"true\"");
		emit(r, ">\n</div>\n");
	}
	emit(r, "</div>\n</fieldset>\n</div>\n");
}

static void render_field(struct render *r, size_t i);

/* 1 when the choice field's answer includes value. */
static int chosen(const struct render *r, const struct field *fd,
		  const char *value)
{
	return r->values && tc_form_value_has(r->values, fd->name, value);
}

static void render_choices(struct render *r, const struct field *fd,
			   const struct tc_field_error *e)
{
	const char *kind = fd->type == FT_RADIOS ? "radios" : "checkboxes";
	const char *type = fd->type == FT_RADIOS ? "radio" : "checkbox";
	int inline_ok = fd->type == FT_RADIOS && fd->nopts == 2;
	size_t k, j;

	for (k = 0; k < fd->nopts; k++)
		if (fd->opts[k].hint || fd->opts[k].count ||
		    strlen(fd->opts[k].label) > 3)
			inline_ok = 0;
	open_group(r, e);
	emit(r, "<fieldset class=\"fieldset\"");
	emit_describedby(r, fd, fd->hint != NULL, e, NULL);
	emit(r, ">\n<legend class=\"fieldset__legend\">");
	emit_html(r, fd->label);
	emit(r, "</legend>\n");
	emit_hint(r, fd);
	emit_error(r, fd, e);
	emitf(r, "<div class=\"%s%s\">\n", kind,
	      inline_ok ? " radios--inline" : "");
	for (k = 0; k < fd->nopts; k++) {
		const struct option *o = &fd->opts[k];

		emitf(r,
		      "<div class=\"%s__item\">\n<input class=\"%s__input\" "
		      "id=\"",
		      kind, kind);
		emit_option_id(r, fd, k);
		emitf(r, "\" name=\"%s\" type=\"%s\" value=\"", fd->name, type);
		emit_attr(r, o->value);
		emit(r, "\"");
		if (chosen(r, fd, o->value))
			emit(r, " checked");
		if (o->hint)
			emitf(r, " aria-describedby=\"%s-%zu-hint\"", fd->name,
			      k + 1);
		emitf(r, ">\n<label class=\"%s__label\" for=\"", kind);
		emit_option_id(r, fd, k);
		emit(r, "\">");
		emit_html(r, o->label);
		emit(r, "</label>\n");
		if (o->hint) {
			emitf(r,
			      "<div class=\"hint %s__hint\" "
			      "id=\"%s-%zu-hint\">",
			      kind, fd->name, k + 1);
			emit_html(r, o->hint);
			emit(r, "</div>\n");
		}
		emit(r, "</div>\n");
		if (o->count == 0)
			continue;
		/*
		 * Revealed fields are always in the page, under their option
		 * and said to belong to it, so they work without script and
		 * without CSS; the script may hide them until it is chosen.
		 */
		emitf(r,
		      "<div class=\"inset-text reveal\" id=\"%s-%zu-reveal\" "
		      "data-reveal-for=\"",
		      fd->name, k + 1);
		emit_option_id(r, fd, k);
		emit(r, "\">\n<p class=\"hint\">If you chose &#8216;");
		emit_html(r, o->label);
		emit(r, "&#8217;:</p>\n");
		for (j = 0; j < o->count; j++)
			render_field(r, o->first + j);
		emit(r, "</div>\n");
	}
	emit(r, "</div>\n</fieldset>\n</div>\n");
}

static void render_select(struct render *r, const struct field *fd,
			  const struct tc_field_error *e)
{
	size_t k;

	open_group(r, e);
	emit_label(r, fd);
	emit_hint(r, fd);
	emit_error(r, fd, e);
	emitf(r, "<select class=\"input select%s\" id=\"%s\" name=\"%s\"",
	      e ? " input--error" : "", fd->name, fd->name);
	if (fd->autocomplete)
		emitf(r, " autocomplete=\"%s\"", fd->autocomplete);
	emit_describedby(r, fd, fd->hint != NULL, e, NULL);
	if (e)
		emit(r, " aria-invalid=\"true\"");
	emit(r, ">\n<option value=\"\">Choose one</option>\n");
	for (k = 0; k < fd->nopts; k++) {
		emit(r, "<option value=\"");
		emit_attr(r, fd->opts[k].value);
		emit(r,
		     chosen(r, fd, fd->opts[k].value) ? "\" selected>" : "\">");
		emit_html(r, fd->opts[k].label);
		emit(r, "</option>\n");
	}
	emit(r, "</select>\n</div>\n");
}

static void render_consent(struct render *r, const struct field *fd,
			   const struct tc_field_error *e)
{
	open_group(r, e);
	emit_error(r, fd, e);
	emitf(r,
	      "<div class=\"checkboxes\">\n<div class=\"checkboxes__item\">\n"
	      "<input class=\"checkboxes__input\" id=\"%s\" name=\"%s\" "
	      "type=\"checkbox\" value=\"yes\"",
	      fd->name, fd->name);
	if (chosen(r, fd, "yes"))
		emit(r, " checked");
	emit_describedby(r, fd, fd->hint != NULL, e, NULL);
	emitf(r, ">\n<label class=\"checkboxes__label\" for=\"%s\">", fd->name);
	emit_html(r, fd->label);
	emit(r, "</label>\n");
	if (fd->hint) {
		emitf(r, "<div class=\"hint checkboxes__hint\" id=\"%s-hint\">",
		      fd->name);
		emit_html(r, fd->hint);
		emit(r, "</div>\n");
	}
	emit(r, "</div>\n</div>\n</div>\n");
}

/* The names of the files held for field name (values._held.files), or
 * NULL. */
static const cJSON *held_files(const struct render *r, const char *name)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(r->values, "_held");
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(h, "files"), name);

	return cJSON_IsArray(names) && names->child ? names : NULL;
}

static void render_file(struct render *r, const struct field *fd,
			const struct tc_field_error *e)
{
	struct tc_buf t = TC_BUF_INIT;
	char again[MAX_NAME + 8];
	const cJSON *held = held_files(r, fd->name), *it;
	int again_note = r->errs && r->errs->n > 0 && !held;
	size_t k;
	int sep = 0;

	snprintf(again, sizeof(again), "%s-again", fd->name);
	open_group(r, e);
	emit_label(r, fd);
	emitf(r, "<div class=\"hint\" id=\"%s-hint\">", fd->name);
	if (fd->hint) {
		emit_html(r, fd->hint);
		emit(r, " ");
	}
	if (fd->max_files > 1)
		emitf(r, "You can upload up to %zu files. Each file must be ",
		      fd->max_files);
	else
		emit(r, "The file must be ");
	if (tc_form_human_kinds(&t, fd->accept) < 0 ||
	    tc_buf_adds(&t, ", smaller than ") < 0 ||
	    tc_form_human_size(&t, fd->max_size) < 0)
		r->failed = 1;
	emit_html(r, t.data);
	emit(r, ".</div>\n");
	if (again_note)
		emitf(r,
		      "<div class=\"hint\" id=\"%s\"><strong>Choose your "
		      "files again.</strong> We do not keep files from a form "
		      "that had a problem.</div>\n",
		      again);
	if (held) {
		emitf(r,
		      "<div class=\"hint file-held\" id=\"%s\"><strong>We "
		      "have kept the files you attached:</strong>\n<ul "
		      "class=\"list\">",
		      again);
		cJSON_ArrayForEach(it, held)
		{
			emit(r, "<li>");
			emit_html(r, cJSON_IsString(it) ? it->valuestring : "");
			emit(r, "</li>");
		}
		emit(r, "</ul>\nYou do not need to choose them again. Choose "
			"files here only to send others instead.</div>\n");
	}
	emit_error(r, fd, e);
	emitf(r,
	      "<input class=\"file-upload\" id=\"%s\" name=\"%s\" "
	      "type=\"file\"",
	      fd->name, fd->name);
	if (fd->max_files > 1)
		emit(r, " multiple");
	emit(r, " accept=\"");
	for (k = 0; k < NKINDS; k++) {
		if (!(fd->accept & (1u << k)))
			continue;
		if (sep)
			emit(r, ",");
		emit_attr(r, tc_form_kinds[k].exts);
		sep = 1;
	}
	emit(r, "\"");
	emit_describedby(r, fd, 1, e, again_note || held ? again : NULL);
	if (e)
		emit(r, " aria-invalid=\"true\"");
	emit(r, ">\n</div>\n");
	tc_buf_release(&t);
}

/* Writes field i (and, for choices, the fields its options reveal). */
static void render_field(struct render *r, size_t i)
{
	const struct field *fd = &r->f->fields[i];
	const struct tc_field_error *e = error_for(r, fd->name);

	switch (fd->type) {
	case FT_TEXT:
	case FT_EMAIL:
	case FT_TEL:
	case FT_POSTCODE:
		render_text(r, fd, e);
		break;
	case FT_TEXTAREA:
		render_textarea(r, fd, e);
		break;
	case FT_DATE:
		render_date(r, fd, e);
		break;
	case FT_RADIOS:
	case FT_CHECKBOXES:
		render_choices(r, fd, e);
		break;
	case FT_SELECT:
		render_select(r, fd, e);
		break;
	case FT_CONSENT:
		render_consent(r, fd, e);
		break;
	case FT_FILE:
		render_file(r, fd, e);
		break;
	case FT_COUNT:
		TC_BUG("field type out of range");
	}
}

static void render_summary(struct render *r)
{
	size_t i;

	if (!r->errs || r->errs->n == 0)
		return;
	emit(r, "<div class=\"error-summary\" id=\"error-summary\" "
		"aria-labelledby=\"error-summary-title\" role=\"alert\" "
		"tabindex=\"-1\" data-module=\"error-summary\">\n"
		"<h2 class=\"error-summary__title\" "
		"id=\"error-summary-title\">There is a problem</h2>\n"
		"<ul class=\"error-summary__list\">\n");
	for (i = 0; i < r->errs->n; i++) {
		const struct tc_field_error *e = &r->errs->v[i];

		emit(r, "<li><a href=\"#");
		emit_attr(r,
			  e->target ? e->target : (e->field ? e->field : ""));
		emit(r, "\">");
		emit_html(r, e->message ? e->message : "");
		emit(r, "</a></li>\n");
	}
	emit(r, "</ul>\n</div>\n");
}

int tc_form_render(const struct tc_form *f, const char *action,
		   const cJSON *values, const struct tc_form_errors *errs,
		   struct tc_buf *out)
{
	struct render r = {out, 0, f, values, errs};
	const struct section *s;
	size_t i, j;

	emitf(&r,
	      "<form class=\"form\" id=\"form-%s\" method=\"post\" "
	      "action=\"",
	      f->id);
	emit_attr(&r, action ? action : "");
	emit(&r, "\" accept-charset=\"utf-8\"");
	if (f->has_files)
		emit(&r, " enctype=\"multipart/form-data\"");
	emit(&r, " novalidate>\n");
	{
		const cJSON *tok = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(values, "_held"), "token");

		if (cJSON_IsString(tok)) {
			emit(&r, "<input type=\"hidden\" name=\"_held\" "
				 "value=\"");
			emit_attr(&r, tok->valuestring);
			emit(&r, "\">\n");
		}
	}
	render_summary(&r);
	if (f->intro) {
		emit(&r, "<p>");
		emit_html(&r, f->intro);
		emit(&r, "</p>\n");
	}
	for (i = 0; i < f->nsecs; i++) {
		s = &f->secs[i];
		emit(&r, "<fieldset class=\"fieldset form-section\"");
		if (s->hint)
			emitf(&r, " aria-describedby=\"section-%zu-hint\"",
			      i + 1);
		emit(&r, ">\n<legend class=\"fieldset__legend "
			 "fieldset__legend--large\"><h2 "
			 "class=\"fieldset__heading\">");
		emit_html(&r, s->legend);
		emit(&r, "</h2></legend>\n");
		if (s->hint) {
			emitf(&r,
			      "<div class=\"hint\" id=\"section-%zu-hint\">",
			      i + 1);
			emit_html(&r, s->hint);
			emit(&r, "</div>\n");
		}
		for (j = s->first; j < s->first + s->count; j++)
			if (f->fields[j].parent < 0)
				render_field(&r, j);
		emit(&r, "</fieldset>\n");
	}
	emitf(&r,
	      "<div class=\"honeypot\" aria-hidden=\"true\">\n<label "
	      "for=\"%s\">Leave this field empty</label>\n<input id=\"%s\" "
	      "name=\"%s\" type=\"text\" tabindex=\"-1\" "
	      "autocomplete=\"off\">\n</div>\n",
	      f->honeypot, f->honeypot, f->honeypot);
	emit(&r, "<div class=\"button-group\">\n<button class=\"button\" "
		 "type=\"submit\">");
	emit_html(&r, f->submit);
	emit(&r, "</button>\n</div>\n</form>\n");
	return r.failed ? -1 : 0;
}
