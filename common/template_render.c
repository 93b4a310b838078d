/*
 * template_render.c: the Mustache engine's renderer (see template.h; the
 * compiler, and the notes on the compiled form, are in template_compile.c).
 *
 * Rendering walks a template's flat node array with an explicit stack of
 * frames: nothing here recurses, whatever the input. The renderer keeps the
 * current indentation and writes it before each node that begins a source
 * line (F_BOL) and after each newline inside a text node.
 *
 * Truthiness follows the spec's "!!data": false, null, a missing name, an
 * empty list, an empty string and the number 0 are falsey; everything else
 * (including an empty object) is truthy.
 */
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "escape.h"
#include "limits.h"
#include "template_internal.h"

/* --- rendering ---------------------------------------------------------- */

struct frame {
	const struct tpl *t; /* whose nodes */
	size_t pc;	     /* next node */
	size_t start, end;   /* the nodes this frame runs */
	const cJSON *item;   /* section over a list: the current element */
	size_t nctx;	     /* context stack height to restore */
	size_t ind_start;    /* indentation to restore */
	size_t ind_len;
	size_t novr;  /* override frames to restore */
	int depth;    /* inclusion depth to restore */
	int override; /* runs a block's override */
};

struct override {
	const struct tpl *t; /* the template holding the parent tag */
	size_t node;	     /* the N_PARENT node */
};

/* Frames can never outnumber this: containers per template times depth. */
#define MAX_FRAMES ((TC_MAX_PARTIAL_DEPTH + 2) * (TC_MAX_DEPTH + 2))

struct render {
	struct tc_tpl_set *set; /* where partials come from; may be NULL */
	struct tc_buf *out;
	struct tc_error *err;
	struct frame *f; /* frames, innermost last */
	size_t nf, af;
	const cJSON **ctx; /* context stack, top last */
	size_t nctx, actx;
	struct override *ovr; /* parents being rendered, outermost first */
	size_t novr, aovr;
	struct tc_buf ind; /* indentation; the current one is from ind_start */
	size_t ind_start;
	int depth;    /* partials, parents and overrides being expanded */
	int skip_bol; /* the next line start is already indented: an override
		       * expanded where its tag did not take the whole line */
	size_t steps; /* nodes run and list items entered, for the cap */
};

static int rerr(struct render *r, const struct tpl *t, const struct node *nd,
		int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int rerr(struct render *r, const struct tpl *t, const struct node *nd,
		int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tc_error_vset(r->err, code, t->file, nd ? nd->line : 0,
		      nd ? nd->col : 0, fmt, ap);
	va_end(ap);
	return -1;
}

static int rnomem(struct render *r, const struct tpl *t, const struct node *nd)
{
	return rerr(r, t, nd, TC_ENOMEM, "out of memory");
}

static int put(struct render *r, const struct tpl *t, const struct node *nd,
	       const char *s, size_t n, int escape)
{
	int rc = escape ? tc_esc_html(r->out, s, n) : tc_buf_add(r->out, s, n);

	if (rc == 0)
		return 0;
	if (errno == EFBIG)
		return rerr(r, t, nd, TC_ETOOBIG, "output over %u bytes",
			    TC_MAX_RENDER);
	return rnomem(r, t, nd);
}

static int put_indent(struct render *r, const struct tpl *t,
		      const struct node *nd)
{
	if (r->skip_bol) {
		r->skip_bol = 0;
		return 0;
	}
	if (r->ind.len == r->ind_start)
		return 0;
	return put(r, t, nd, r->ind.data + r->ind_start,
		   r->ind.len - r->ind_start, 0);
}

static int put_text(struct render *r, const struct tpl *t,
		    const struct node *nd)
{
	const char *s = tc_tpl_pool_at(t, nd->off), *nl;
	size_t n = nd->len, k;

	if (r->ind.len == r->ind_start)
		return put(r, t, nd, s, n, 0);
	while ((nl = memchr(s, '\n', n)) != NULL) {
		k = (size_t)(nl - s) + 1;
		if (put(r, t, nd, s, k, 0) < 0)
			return -1;
		s += k;
		n -= k;
		if (n == 0)
			return 0;
		if (put(r, t, nd, r->ind.data + r->ind_start,
			r->ind.len - r->ind_start, 0) < 0)
			return -1;
	}
	return put(r, t, nd, s, n, 0);
}

/* Writes a number as the spec expects: 85 -> "85", 1.21 -> "1.21". */
static int put_number(struct render *r, const struct tpl *t,
		      const struct node *nd, double d)
{
	char tmp[64];
	int n = 0, prec;

	if (d > -9007199254740992.0 && d < 9007199254740992.0 &&
	    d == (double)(long long)d) {
		n = snprintf(tmp, sizeof(tmp), "%lld", (long long)d);
	} else {
		for (prec = 15; prec <= 17; prec++) {
			n = snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
			if (n > 0 && (size_t)n < sizeof(tmp) &&
			    strtod(tmp, NULL) == d)
				break;
		}
	}
	if (n <= 0 || (size_t)n >= sizeof(tmp))
		return 0;
	return put(r, t, nd, tmp, (size_t)n, 0);
}

static int put_value(struct render *r, const struct tpl *t,
		     const struct node *nd, const cJSON *v)
{
	int esc = (nd->flags & F_ESCAPE) != 0;

	if (!v)
		return 0;
	if (cJSON_IsString(v) && v->valuestring)
		return put(r, t, nd, v->valuestring, strlen(v->valuestring),
			   esc);
	if (cJSON_IsNumber(v))
		return put_number(r, t, nd, v->valuedouble);
	if (cJSON_IsTrue(v))
		return put(r, t, nd, "true", 4, 0);
	if (cJSON_IsFalse(v))
		return put(r, t, nd, "false", 5, 0);
	return 0;
}

/* The member called k[0..len) of obj (names hold no NUL), or NULL. */
static const cJSON *member(const cJSON *obj, const char *k, size_t len)
{
	const cJSON *it;

	if (!cJSON_IsObject(obj))
		return NULL;
	for (it = obj->child; it; it = it->next)
		if (it->string && it->string[0] == k[0] &&
		    strncmp(it->string, k, len) == 0 && it->string[len] == '\0')
			return it;
	return NULL;
}

/* Resolves a (dotted) name against the context stack, as the spec says. */
static const cJSON *resolve(const struct render *r, const char *name,
			    size_t len)
{
	const cJSON *v = NULL;
	const char *dot;
	size_t i, part;

	if (len == 1 && name[0] == '.')
		return r->nctx ? r->ctx[r->nctx - 1] : NULL;
	dot = memchr(name, '.', len);
	part = dot ? (size_t)(dot - name) : len;
	for (i = r->nctx; i-- > 0;) {
		v = member(r->ctx[i], name, part);
		if (v)
			break;
	}
	while (v && dot) {
		name = dot + 1;
		len -= part + 1;
		dot = memchr(name, '.', len);
		part = dot ? (size_t)(dot - name) : len;
		v = member(v, name, part);
	}
	return v;
}

static int truthy(const cJSON *v)
{
	if (!v || cJSON_IsFalse(v) || cJSON_IsNull(v) || cJSON_IsInvalid(v))
		return 0;
	if (cJSON_IsArray(v))
		return v->child != NULL;
	if (cJSON_IsString(v))
		return v->valuestring && v->valuestring[0];
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	return 1;
}

static int push_ctx(struct render *r, const cJSON *v)
{
	if (TC_ALLOC_GROW_TRY(r->ctx, r->nctx + 1, r->actx) < 0)
		return -1;
	r->ctx[r->nctx++] = v;
	return 0;
}

/* Pushes a frame running t's nodes [start, end), saving the state. */
static int push_frame(struct render *r, const struct tpl *t,
		      const struct node *at, size_t start, size_t end)
{
	struct frame *f;

	if (r->nf >= MAX_FRAMES)
		return rerr(r, t, at, TC_EDEPTH,
			    "nesting deeper than the render stack allows");
	if (TC_ALLOC_GROW_TRY(r->f, r->nf + 1, r->af) < 0)
		return rnomem(r, t, at);
	f = &r->f[r->nf++];
	f->t = t;
	f->pc = start;
	f->start = start;
	f->end = end;
	f->item = NULL;
	f->nctx = r->nctx;
	f->ind_start = r->ind_start;
	f->ind_len = r->ind.len;
	f->novr = r->novr;
	f->depth = r->depth;
	f->override = 0;
	return 0;
}

static void pop_frame(struct render *r)
{
	struct frame *f = &r->f[--r->nf];

	r->nctx = f->nctx;
	tc_buf_setlen(&r->ind, f->ind_len);
	r->ind_start = f->ind_start;
	r->novr = f->novr;
	r->depth = f->depth;
	if (f->override)
		r->skip_bol = 0;
}

static int add_indent(struct render *r, const struct tpl *t,
		      const struct node *nd, size_t off, size_t len)
{
	if (len && tc_buf_add(&r->ind, tc_tpl_pool_at(t, off), len) < 0)
		return rnomem(r, t, nd);
	return 0;
}

/* Finds the override for block name among the parents being rendered. */
static int find_override(const struct render *r, const char *name, size_t len,
			 const struct tpl **ot, size_t *oi)
{
	size_t i, b;

	for (i = 0; i < r->novr; i++) {
		const struct tpl *t = r->ovr[i].t;

		for (b = t->nodes[r->ovr[i].node].next; b;
		     b = t->nodes[b].next) {
			const struct node *nd = &t->nodes[b];

			if (nd->len == len && memcmp(tc_tpl_pool_at(t, nd->off),
						     name, len) == 0) {
				*ot = t;
				*oi = b;
				return 1;
			}
		}
	}
	return 0;
}

static int enter_depth(struct render *r, const struct tpl *t,
		       const struct node *nd, const char *what)
{
	char name[80];

	if (r->depth >= TC_MAX_PARTIAL_DEPTH)
		return rerr(r, t, nd, TC_EDEPTH,
			    "%s nested deeper than %d (does '%s' include "
			    "itself?)",
			    what, TC_MAX_PARTIAL_DEPTH,
			    tc_tpl_shown(tc_tpl_pool_at(t, nd->off), nd->len,
					 name, sizeof(name)));
	r->depth++;
	return 0;
}

static int run_include(struct render *r, const struct tpl *t, size_t idx)
{
	const struct node *nd = &t->nodes[idx];
	const struct tpl *pt = NULL;

	if (r->set && tc_tpl_set_get(r->set, tc_tpl_pool_at(t, nd->off),
				     nd->len, &pt, r->err) < 0)
		return -1;
	if (!pt)
		return 0;
	if (push_frame(r, pt, nd, 0, pt->n) < 0)
		return -1;
	if (enter_depth(r, t, nd,
			nd->type == N_PARENT ? "parents" : "partials") < 0)
		return -1;
	if (nd->flags & F_STANDALONE) {
		if (add_indent(r, t, nd, nd->ind_off, nd->ind_len) < 0)
			return -1;
	} else {
		r->ind_start = r->ind.len;
	}
	if (nd->type == N_PARENT) {
		if (TC_ALLOC_GROW_TRY(r->ovr, r->novr + 1, r->aovr) < 0)
			return rnomem(r, t, nd);
		r->ovr[r->novr].t = t;
		r->ovr[r->novr].node = idx;
		r->novr++;
	}
	return 0;
}

static int run_block(struct render *r, const struct tpl *t, size_t idx)
{
	const struct node *nd = &t->nodes[idx];
	const struct tpl *ot;
	size_t oi;

	if (find_override(r, tc_tpl_pool_at(t, nd->off), nd->len, &ot, &oi)) {
		if (push_frame(r, ot, nd, oi + 1, ot->nodes[oi].end) < 0 ||
		    enter_depth(r, t, nd, "blocks") < 0 ||
		    add_indent(r, t, nd, nd->ind_off, nd->ind_len) < 0)
			return -1;
		r->f[r->nf - 1].override = 1;
		if (!(nd->flags & F_ALONE))
			r->skip_bol = 1;
		return 0;
	}
	if (push_frame(r, t, nd, idx + 1, nd->end) < 0 ||
	    add_indent(r, t, nd, nd->def_off, nd->def_len) < 0)
		return -1;
	return 0;
}

static int run_section(struct render *r, const struct tpl *t, size_t idx)
{
	const struct node *nd = &t->nodes[idx];
	const cJSON *v = resolve(r, tc_tpl_pool_at(t, nd->off), nd->len);
	int yes = truthy(v);

	if (nd->type == N_INVERTED) {
		if (yes)
			return 0;
		return push_frame(r, t, nd, idx + 1, nd->end);
	}
	if (!yes)
		return 0;
	if (push_frame(r, t, nd, idx + 1, nd->end) < 0)
		return -1;
	if (cJSON_IsArray(v)) {
		r->f[r->nf - 1].item = v->child;
		v = v->child;
	}
	if (push_ctx(r, v) < 0)
		return rnomem(r, t, nd);
	return 0;
}

/* Runs the machine until the frame stack is empty. */
static int run(struct render *r)
{
	while (r->nf > 0) {
		struct frame *f = &r->f[r->nf - 1];
		const struct tpl *t = f->t;
		const struct node *nd;
		size_t idx;
		int rc = 0;

		if (++r->steps > TC_MAX_RENDER_STEPS)
			return rerr(r, t,
				    f->pc < f->end ? &t->nodes[f->pc]
				    : f->start	   ? &t->nodes[f->start - 1]
						   : NULL,
				    TC_ETOOBIG,
				    "rendering takes more than %u steps: "
				    "sections over lists nested too deep",
				    TC_MAX_RENDER_STEPS);
		if (f->pc >= f->end) {
			if (f->item && f->item->next) {
				f->item = f->item->next;
				r->ctx[r->nctx - 1] = f->item;
				f->pc = f->start;
			} else {
				pop_frame(r);
			}
			continue;
		}
		idx = f->pc;
		nd = &t->nodes[idx];
		if ((nd->flags & F_BOL) && put_indent(r, t, nd) < 0)
			return -1;
		if (nd->type == N_TEXT || nd->type == N_VAR)
			r->skip_bol = 0;
		switch (nd->type) {
		case N_NOP:
			f->pc++;
			break;
		case N_TEXT:
			f->pc++;
			rc = put_text(r, t, nd);
			break;
		case N_VAR:
			f->pc++;
			rc = put_value(
			    r, t, nd,
			    resolve(r, tc_tpl_pool_at(t, nd->off), nd->len));
			break;
		case N_SECTION:
		case N_INVERTED:
			f->pc = nd->end;
			rc = run_section(r, t, idx);
			break;
		case N_PARTIAL:
			f->pc++;
			rc = run_include(r, t, idx);
			break;
		case N_PARENT:
			f->pc = nd->end;
			rc = run_include(r, t, idx);
			break;
		case N_BLOCK:
			f->pc = nd->end;
			rc = run_block(r, t, idx);
			break;
		default:
			TC_BUG("unknown node type");
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Renders t against ctx onto out; on error out is left as it was. */
static int render(struct tc_tpl_set *set, const struct tpl *t, const cJSON *ctx,
		  struct tc_buf *out, struct tc_error *err)
{
	struct render r;
	size_t start = out->len, oldcap = out->cap;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	r.set = set;
	r.out = out;
	r.err = err;
	tc_buf_init(&r.ind, TC_MAX_RENDER);
	if (oldcap == 0 || oldcap - start > TC_MAX_RENDER)
		out->cap = start + TC_MAX_RENDER;
	if (push_ctx(&r, ctx) < 0) {
		tc_tpl_nomem(err, t->file);
		goto out;
	}
	if (push_frame(&r, t, NULL, 0, t->n) < 0)
		goto out;
	if (run(&r) < 0)
		goto out;
	ret = 0;
out:
	out->cap = oldcap;
	if (ret < 0)
		tc_buf_setlen(out, start);
	free(r.f);
	free(r.ctx);
	free(r.ovr);
	tc_buf_release(&r.ind);
	return ret;
}

int tc_tpl_render(struct tc_tpl_set *set, const char *name, const cJSON *ctx,
		  struct tc_buf *out, struct tc_error *err)
{
	const struct tpl *t;

	if (tc_tpl_set_get(set, name, strlen(name), &t, err) < 0)
		return -1;
	if (!t) {
		tc_error_set(err, TC_ENOENT, "", 0, 0, "no template '%s'",
			     name);
		return -1;
	}
	return render(set, t, ctx, out, err);
}

/* Loader over a cJSON object of name -> template string. */
static int load_json(void *arg, const char *name, struct tc_buf *src,
		     struct tc_buf *file, struct tc_error *err)
{
	const cJSON *v =
	    cJSON_GetObjectItemCaseSensitive((const cJSON *)arg, name);

	if (!cJSON_IsString(v) || !v->valuestring)
		return 1;
	if (tc_buf_adds(src, v->valuestring) < 0) {
		tc_error_set(err, TC_ETOOBIG, name, 0, 0,
			     "partial is over %u bytes", TC_MAX_SOURCE_FILE);
		return -1;
	}
	if (tc_buf_adds(file, name) < 0)
		tc_buf_reset(file);
	return 0;
}

int tc_tpl_render_string(const char *src, size_t len, const cJSON *ctx,
			 const cJSON *partials, struct tc_buf *out,
			 struct tc_error *err)
{
	struct tc_tpl_set *set = NULL;
	struct tpl *t = NULL;
	int ret = -1;

	set = tc_tpl_set_new(partials ? load_json : NULL, (void *)partials);
	if (!set) {
		tc_tpl_nomem(err, "");
		goto out;
	}
	t = tc_tpl_compile(src, len, "", err);
	if (!t)
		goto out;
	ret = render(set, t, ctx, out, err);
out:
	tc_tpl_free(t);
	tc_tpl_set_free(set);
	return ret;
}
