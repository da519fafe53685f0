#ifndef CHURNGUARD_CLZ4_SHIM_H
#define CHURNGUARD_CLZ4_SHIM_H
#include <lz4.h>
#endif
