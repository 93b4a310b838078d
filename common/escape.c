/* escape.c: see escape.h */
#include "escape.h"
