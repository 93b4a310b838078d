/* fsutil.c: see fsutil.h */
#include "fsutil.h"
