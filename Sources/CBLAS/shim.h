#pragma once
#include <cblas.h>
// OpenBLAS thread control, so timings and results do not depend on the machine's core count.
void openblas_set_num_threads(int num_threads);
