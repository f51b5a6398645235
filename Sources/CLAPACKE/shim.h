#pragma once
// Import complex arguments as a typed struct rather than C99 _Complex (which Swift cannot see).
typedef struct { double real, imag; } lapack_complex_double_struct;
typedef struct { float real, imag; } lapack_complex_float_struct;
#define lapack_complex_double lapack_complex_double_struct
#define lapack_complex_float lapack_complex_float_struct
#include <lapacke.h>
