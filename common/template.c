/* template.c: see template.h */
#include "template.h"
