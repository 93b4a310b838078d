/*
 * fields.h: the names of the form fields that the programs act on, beyond
 * showing them: the rules route and flag by them, casework matches people
 * and restrictions by them, the case pack lays them out. Declared once
 * here; the forms in content/forms must define them (tc_rules_check_forms
 * checks that each form the rules rely on has its fields).
 */
#ifndef TC_FIELDS_H
#define TC_FIELDS_H

/* Who the resident is and how to reply. */
#define TC_F_FULL_NAME	    "full_name"
#define TC_F_EMAIL	    "email"
#define TC_F_PHONE	    "phone"
#define TC_F_ADDRESS	    "address"
#define TC_F_CONTACT_METHOD "contact_method"
#define TC_F_ADJUSTMENTS    "adjustments"

/* On behalf of someone else. */
#define TC_F_ON_BEHALF	  "on_behalf"
#define TC_F_PERSON_NAME  "person_name"
#define TC_F_RELATIONSHIP "relationship"
#define TC_F_CONSENT	  "consent"

/* The complaint. */
#define TC_F_SERVICE_AREA   "service_area"
#define TC_F_WHAT_HAPPENED  "what_happened"
#define TC_F_WHEN_HAPPENED  "when_happened"
#define TC_F_IMPACT	    "impact"
#define TC_F_OUTCOME_SOUGHT "outcome_sought"
#define TC_F_RAISED_BEFORE  "raised_before"

/* Feedback (compliments and comments). */
#define TC_F_FEEDBACK_TYPE "feedback_type"
#define TC_F_MESSAGE	   "message"

/* A request for a stage 2 review. */
#define TC_F_CASE_REFERENCE "case_reference"
#define TC_F_WHY_UNHAPPY    "why_unhappy"

/* The forms themselves. */
#define TC_FORM_COMPLAINT "complaint"
#define TC_FORM_FEEDBACK  "feedback"
#define TC_FORM_REVIEW	  "review"

#endif
