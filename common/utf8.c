/* utf8.c: see utf8.h */
#include "utf8.h"
