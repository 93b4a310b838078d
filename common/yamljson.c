/* yamljson.c: see yamljson.h */
#include "yamljson.h"
