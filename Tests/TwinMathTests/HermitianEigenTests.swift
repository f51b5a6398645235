import ComplexModule
import Testing
import TwinMath

@Suite struct HermitianEigenTests {
    @Test func twoByTwoClosedForm() throws {
        // [[2, i], [−i, 2]]: eigenvalues 1 and 3; eigenvectors (1, i)/√2 for 1 ... checked by A v = λ v.
        let a = ComplexMatrix(rows: 2, columns: 2, elements: [Complex(2, 0), Complex(0, -1), Complex(0, 1), Complex(2, 0)])
        let (values, vectors) = try a.hermitianEigen()
        #expect(abs(values[0] - 1) < 1e-12 && abs(values[1] - 3) < 1e-12)
        for c in 0..<2 {
            let v = vectors.column(c)
            let av = a.multiply(v)
            for i in 0..<2 { #expect((av[i] - v[i].multiplied(by: values[c])).length < 1e-12) }
            // Unit length, largest component real and positive.
            #expect(abs(v.reduce(0) { $0 + $1.lengthSquared } - 1) < 1e-12)
            let pivot = v.max { $0.length < $1.length }!
            #expect(pivot.imaginary == 0 && pivot.real > 0)
        }
        // Orthogonal: v0ᴴ v1 = 0.
        let dot = zip(vectors.column(0), vectors.column(1)).reduce(Complex<Double>.zero) { $0 + $1.0.conjugate * $1.1 }
        #expect(dot.length < 1e-12)
    }

    @Test func rankOneCovarianceHasOneNonZeroEigenvalue() throws {
        // R = a aᴴ with ‖a‖² = 3: eigenvalues 0, 0, 3.
        let a = [Complex(1.0, 0), Complex(0, 1), Complex(-1, 0)]
        let r = ComplexMatrix.sampleCovariance([a])
        let (values, vectors) = try r.hermitianEigen()
        #expect(abs(values[0]) < 1e-12 && abs(values[1]) < 1e-12 && abs(values[2] - 3) < 1e-12)
        // The top eigenvector is a/√3 up to phase: |aᴴ v| = √3.
        let dot = zip(a, vectors.column(2)).reduce(Complex<Double>.zero) { $0 + $1.0.conjugate * $1.1 }
        #expect(abs(dot.length - 3.0.squareRoot()) < 1e-12)
    }

    @Test func rejectsNonHermitianAndNonFinite() {
        let a = ComplexMatrix(rows: 2, columns: 2, elements: [Complex(1, 0), Complex(0, 1), Complex(0, 1), Complex(1, 0)])
        #expect(throws: MatrixError.notSymmetric(operation: "hermitianEigen")) { try a.hermitianEigen() }
        let b = ComplexMatrix(rows: 1, columns: 1, elements: [Complex(.nan, 0)])
        #expect(throws: MatrixError.nonFinite(operation: "hermitianEigen")) { try b.hermitianEigen() }
    }
}
