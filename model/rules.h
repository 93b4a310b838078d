/*
 * rules.h: the council's complaint-handling rules (content/rules.yml) as
 * data: calendar, procedures and their stages, time limit, references,
 * routing, exclusions and the phrases that suggest one. docs/rules.md
 * documents the file.
 *
 * The rules are read once per run and never change during it, so the struct
 * is plain data that the other casework modules read directly.
 */
#ifndef TC_RULES_H
#define TC_RULES_H

#include <stddef.h>

#include "err.h"
#include "calendar.h"

struct tc_forms;
struct tc_yaml_doc;

/* The base a stage's response deadline (or a step's) counts from. */
enum tc_base {
	TC_FROM_ACK = 0,     /* the acknowledgement (recorded, else its due;
				the request when the stage has no
				acknowledgement step) */
	TC_FROM_REQUEST = 1, /* receipt, or the escalation request */
	TC_FROM_STEP = 2     /* a step of the stage (recorded, else its due) */
};

#define TC_MAX_STEPS 8

/* A step inside a stage with its own deadline: a children's review panel
 * meets within 30 WD of the request, its report follows within 5 WD. */
struct tc_step_rule {
	const char *id;	   /* "panel" */
	const char *name;  /* "Review panel meets" */
	int days;	   /* working days from base */
	enum tc_base base; /* TC_FROM_REQUEST, TC_FROM_ACK or TC_FROM_STEP */
	int from;	   /* TC_FROM_STEP: the index of an earlier step */
};

/* One stage of a procedure. */
struct tc_stage_rule {
	int ack_days;	   /* acknowledge within N WD of the request; -1:
			      the stage has no acknowledgement step */
	int respond_days;  /* respond within N WD of base; 0: no fixed
			      deadline */
	enum tc_base base; /* what respond_days counts from */
	int base_step;	   /* TC_FROM_STEP: the step's index */
	int extension_max; /* most WD one extension may add; 0: none allowed */
	int exceptional_max; /* further WD one extension may add when an
				officer records exceptional circumstances */
	int window_days;     /* days after the response to ask for the next
				stage; 0 when this is the last stage, -1 when
				there is no time limit */
	int window_working;  /* 1: window_days are working days; 0: calendar */
	int update_months;   /* while unanswered, tell the resident why every
				N calendar months from the request; 0: none */
	const char *responder; /* the role who responds ("Head of Service"),
				  or NULL */
	struct tc_step_rule step[TC_MAX_STEPS];
	int nsteps;
};

/* A procedure: corporate, children's statutory, ... */
struct tc_procedure {
	const char *id;		     /* "corporate" */
	const char *name;	     /* "Corporate complaints procedure" */
	const char *ombudsman;	     /* who to signpost after the last stage */
	const char *ombudsman_url;   /* their web address */
	const char *ombudsman_phone; /* their phone number, or NULL */
	int ombudsman_months;	     /* the time the resident has to go to the
					Ombudsman after the final response
					(12); 0: not stated */
	struct tc_stage_rule *stage; /* stage[0] is stage 1 */
	int nstages;		     /* 1 or more */
};

/* service_area -> team and procedure. */
struct tc_route {
	const char
	    *service_area;     /* an option value of the forms' service_area */
	const char *team;      /* who handles it */
	const char *procedure; /* a procedure id */
	int line, col;	       /* where it is in rules.yml */
};

/* A service area handled by another route. */
struct tc_exclusion {
	const char *service_area; /* the option value */
	const char *reason_code;  /* recorded for the annual report: "pcn" */
	const char *reason;   /* why it is not a complaint under this policy */
	const char *signpost; /* where the resident should go instead */
	int line, col;
};

/* An outcome a stage is closed with: its id as recorded, and how people
 * read it. */
struct tc_outcome {
	const char *id;	   /* "partly-upheld" */
	const char *label; /* "Partly upheld" */
};

/* A phrase in the free text that suggests an exclusion, or that makes a
 * case urgent. */
struct tc_phrase {
	const char *phrase;	 /* lowercase ASCII-insensitive match */
	const char *reason_code; /* the exclusion it suggests, or why it is
				    urgent ("risk-of-harm") */
};

/* How references of one type look: PREFIX-YYYY-NNNNNN. */
struct tc_refformat {
	const char *type;   /* complaint, service_request, ... */
	const char *prefix; /* "CMP" */
	int digits;	    /* zero-padded sequence width */
};

/*
 * The loaded rules. Their const strings are the YAML document's own (doc,
 * kept until tc_rules_free); only path and calendar_path are allocated.
 */
struct tc_rules {
	char *path;		   /* the rules file as named */
	const char *division;	   /* "england-and-wales" */
	char *calendar_path;	   /* resolved path of the calendar JSON */
	const char *time_zone;	   /* "Europe/London" */
	int end_of_day;		   /* minutes past local midnight after which a
				      submission counts from the next working day;
				      -1 for none */
	int time_limit_months;	   /* 12 */
	int duplicate_window_days; /* 28 calendar days */
	int retention_years;	   /* personal data is kept this long after
				      closure (6), then purged */
	int restriction_review_months;	      /* a contact restriction (or a
						 warning) is reviewed after this
						 many months unless a date is given
						 (6) */
	int restriction_appeal_days;	      /* working days from the letter to
						 ask for a restriction to be looked
						 at again (20) */
	int first_contact_as_service_request; /* raised_before: no -> SR */
	const char *default_team; /* who gets what no routing names */
	struct tc_procedure *proc;
	size_t nproc;
	struct tc_route *route;
	size_t nroute;
	struct tc_exclusion *excl;
	size_t nexcl;
	struct tc_phrase *phrase;
	size_t nphrase;
	struct tc_phrase *urgent; /* urgent_phrases: {phrase, reason} */
	size_t nurgent;
	int service_request_days; /* a service request's target, in working
				     days from receipt; 0: none */
	int comment_reply_days;	  /* a reply to a comment that asked for one,
				     likewise */
	/* member_enquiry_words: words (lower case) that, in the relationship
	 * of someone complaining for another, name a councillor or an MP:
	 * without the person's consent it is a member's enquiry, recorded
	 * as a service request. None: no such rule. */
	const char **member_words;
	size_t nmember_words;
	const struct tc_outcome *outcome; /* outcomes, in order */
	size_t noutcome;
	struct tc_outcome *outcome_alloc; /* outcome when read from the file */
	struct tc_refformat *ref;
	size_t nref;
	struct tc_calendar *cal; /* loaded from calendar_path */
	struct tc_yaml_doc *doc; /* the parsed file, for positions */
};

/*
 * Loads and checks rules from path; the calendar named in it is loaded too
 * (relative paths are taken from the rules file's folder). Each error is
 * printed as file:line:col; *nerrors gets their count. Returns the rules,
 * which the caller frees with tc_rules_free, or NULL (with *nerrors > 0 for
 * bad input, or 0 and errno set when the file could not be read).
 */
struct tc_rules *tc_rules_load(const char *path, int *nerrors);
void tc_rules_free(struct tc_rules *r);

/*
 * Checks that the rules fit the forms: every service_area option of the
 * complaint and feedback forms has a routing entry or an exclusion, every
 * routing and exclusion names an offered service area, the forms the
 * classifier reads exist with the fields it reads. Prints each misfit as
 * file:line:col and returns their count.
 */
int tc_rules_check_forms(const struct tc_rules *r, const struct tc_forms *fs);

const struct tc_procedure *tc_rules_procedure(const struct tc_rules *r,
					      const char *id);
/* The index of the step named id in sr, or -1. */
int tc_rules_step(const struct tc_stage_rule *sr, const char *id);
const struct tc_route *tc_rules_route(const struct tc_rules *r,
				      const char *service_area);
/* The procedure a complaint about service_area (NULL: not given) follows:
 * its route's, or the first procedure. */
const char *tc_rules_procedure_for(const struct tc_rules *r,
				   const char *service_area);
const struct tc_exclusion *tc_rules_exclusion(const struct tc_rules *r,
					      const char *service_area);
const struct tc_refformat *tc_rules_refformat(const struct tc_rules *r,
					      const char *type);
/*
 * A reference as a person typed it, as casework issues it: letters
 * upper-cased and the separators people type (spaces, dashes, dots,
 * slashes) dropped, then, when that is one of the rules' prefixes, a year
 * and at most its digits, PREFIX-YYYY-000SEQ ("cmp 2026 123" is
 * CMP-2026-000123); or an intake submission ID (bundle.h) with its dash
 * ("70kpa mn4jw" is 70KPA-MN4JW). Anything else comes back trimmed and
 * upper-cased. out is always terminated.
 */
void tc_rules_ref_canonical(const struct tc_rules *r, const char *in, char *out,
			    size_t n);

/*
 * The first phrase found in text (case-insensitive for ASCII letters), or
 * NULL.
 */
const struct tc_phrase *tc_rules_match_phrase(const struct tc_rules *r,
					      const char *text);
/* 1 when text holds one of the rules' member_enquiry_words as a whole
 * word (case aside for ASCII letters). */
int tc_rules_member_words(const struct tc_rules *r, const char *text);
/* The outcome typed (its id or its label, letter case, spaces and dashes
 * aside: "Partly upheld" is partly-upheld), or NULL. */
const struct tc_outcome *tc_rules_outcome(const struct tc_rules *r,
					  const char *typed);
/* How people read a recorded outcome: its label, or id itself when the
 * rules no longer name it (NULL for NULL). */
const char *tc_rules_outcome_label(const struct tc_rules *r, const char *id);
/* The outcome ids, ", "-separated, for messages (static storage). */
const char *tc_rules_outcome_list(const struct tc_rules *r);

/* The same for the phrases that make a case urgent. */
const struct tc_phrase *tc_rules_match_urgent(const struct tc_rules *r,
					      const char *text);

/*
 * The local date a submission counts from: the UTC time converted to the
 * rules' time zone; a non-working day or a time after end_of_day moves it
 * to the next working day. Returns 0, or -1 for an unreadable time or a
 * date beyond the calendar.
 */
int tc_rules_received_date(const struct tc_rules *r, const char *utc,
			   tc_day *out);

#endif
