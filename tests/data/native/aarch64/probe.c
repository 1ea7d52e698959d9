#include <Python.h>
#include <sys/random.h>

/* Asks the C library for random bytes so that the module needs GLIBC_2.25 (getrandom). */
static PyObject *entropy(PyObject *self, PyObject *args) {
    unsigned char byte = 0;
    if (getrandom(&byte, 1, 0) != 1) {
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    return PyLong_FromLong(byte);
}

static PyMethodDef methods[] = {{"entropy", entropy, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_probe", NULL, -1, methods};

PyMODINIT_FUNC PyInit__probe(void) { return PyModule_Create(&module); }
