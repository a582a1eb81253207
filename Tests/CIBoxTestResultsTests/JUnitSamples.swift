// cibox — CI in a box. MIT licence, see LICENSE.

/// Small JUnit XML documents in the shapes real reporters write.
enum JUnitSamples {
    /// pytest `--junitxml` (junit_family=xunit2): `<testsuites>` around one suite; `file` only with xunit1.
    static let pytest = """
        <?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="1" \
        skipped="1" tests="5" time="0.215" timestamp="2024-05-01T10:00:00" hostname="box">\
        <testcase classname="tests.test_math" name="test_add" file="tests/test_math.py" line="3" time="0.001" />\
        <testcase classname="tests.test_math" name="test_divide" file="tests/test_math.py" line="7" time="0.002">\
        <failure message="assert 1 == 2">def test_divide():
        &gt;       assert 1 == 2
        E       assert 1 == 2

        tests/test_math.py:9: AssertionError</failure></testcase>\
        <testcase classname="tests.test_io" name="test_read" file="tests/test_io.py" line="1" time="0.100">\
        <error message="failed on setup with &quot;FileNotFoundError&quot;">fixture 'data' raised</error></testcase>\
        <testcase classname="tests.test_io" name="test_write" file="tests/test_io.py" line="9" time="0.000">\
        <skipped type="pytest.skip" message="no disk">tests/test_io.py:10: no disk</skipped></testcase>\
        <testcase classname="tests.test_io" name="test_ok" file="tests/test_io.py" time="0.112">\
        <system-out>lots of output</system-out></testcase>\
        </testsuite></testsuites>
        """

    /// jest-junit: suites named after the files, `file` attribute when `addFileAttribute` is on, CDATA bodies.
    static let jest = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="jest tests" tests="3" failures="1" errors="0" time="1.23">
          <testsuite name="src/sum.test.js" errors="0" failures="1" skipped="0" timestamp="2024-05-01T10:00:00" \
        time="0.9" tests="3">
            <testcase classname="sum adds 1 + 2" name="sum adds 1 + 2" time="0.003" file="src/sum.test.js">
            </testcase>
            <testcase classname="sum handles negatives" name="sum handles negatives" time="0.002" \
        file="src/sum.test.js">
              <failure><![CDATA[Error: expect(received).toBe(expected)

        Expected: -3
        Received: 3
            at Object.<anonymous> (src/sum.test.js:9:20)]]></failure>
            </testcase>
            <testcase classname="sum is pure" name="sum is pure" time="0.5" file="src/sum.test.js"></testcase>
          </testsuite>
        </testsuites>
        """

    /// go-junit-report: one suite per package, no `file`, times with three decimals, properties.
    static let goJUnitReport = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites tests="3" failures="1">
        \t<testsuite name="example.com/app/calc" tests="3" failures="1" errors="0" id="0" hostname="box" \
        time="0.012" timestamp="2024-05-01T10:00:00Z">
        \t\t<properties><property name="go.version" value="go1.22.2 linux/amd64"></property></properties>
        \t\t<testcase name="TestAdd" classname="example.com/app/calc" time="0.001"></testcase>
        \t\t<testcase name="TestSub" classname="example.com/app/calc" time="0.010">
        \t\t\t<failure message="Failed" type="">calc_test.go:14: got 1, want 2</failure>
        \t\t</testcase>
        \t\t<testcase name="TestMul" classname="example.com/app/calc" time="0.000">
        \t\t\t<skipped message="calc_test.go:20: not on linux"></skipped>
        \t\t</testcase>
        \t</testsuite>
        </testsuites>
        """

    /// Maven Surefire: a bare `<testsuite>` root with the XSD attributes, properties, `type` on failures and
    /// thousands separators in `time`.
    static let surefire = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
        xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report.xsd" \
        version="3.0" name="com.example.CalculatorTest" time="1,234.5" tests="3" errors="0" skipped="1" failures="1">
          <properties><property name="java.version" value="21"/></properties>
          <testcase name="adds" classname="com.example.CalculatorTest" time="1,200.25"/>
          <testcase name="divides" classname="com.example.CalculatorTest" time="0.011">
            <failure message="expected: &lt;2&gt; but was: &lt;3&gt;" type="org.opentest4j.AssertionFailedError">\
        org.opentest4j.AssertionFailedError: expected: &lt;2&gt; but was: &lt;3&gt;
        \tat com.example.CalculatorTest.divides(CalculatorTest.java:21)</failure>
            <system-out><![CDATA[log line]]></system-out>
          </testcase>
          <testcase name="later" classname="com.example.CalculatorTest" time="0">
            <skipped message="not ready"/>
          </testcase>
        </testsuite>
        """

    /// xcpretty's JUnit reporter (XCTest): suites per target and class, `<failure>` with `file:line` bodies.
    static let xcpretty = """
        <?xml version='1.0' encoding='UTF-8'?>
        <testsuites name='AppTests.xctest' tests='3' failures='1'>
          <testsuite name='AppTests.LoginTests' tests='3' failures='1'>
            <testcase classname='AppTests.LoginTests' name='testValidLogin' time='0.021'/>
            <testcase classname='AppTests.LoginTests' name='testInvalidPassword'>
              <failure message='XCTAssertEqual failed: (&quot;401&quot;) is not equal to (&quot;200&quot;)'>\
        AppTests/LoginTests.swift:42</failure>
            </testcase>
            <testcase classname='AppTests.LoginTests' name='testLogout' time='0.004'/>
          </testsuite>
        </testsuites>
        """

    /// `swift test --xunit-output`: one suite named after the runner, classes as `Module.Type`.
    static let swiftTest = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites>
        <testsuite name="TestResults" errors="0" tests="2" failures="1" time="0.75">
        <testcase classname="MathTests.AdditionTests" name="testAdds" time="0.25">
        </testcase>
        <testcase classname="MathTests.AdditionTests" name="testOverflow" time="0.5">
        <failure message="failed"></failure>
        </testcase>
        </testsuite>
        </testsuites>
        """

    /// Suites inside suites (Mocha, some Gradle and NUnit exports): names join, `file` is inherited.
    static let nested = """
        <testsuites>
          <testsuite name="outer" file="spec/outer_spec.rb">
            <testcase classname="Outer" name="top" time="1"/>
            <testsuite name="inner">
              <testcase classname="Outer::Inner" name="deep" time="2"/>
              <testsuite name="innermost" file="spec/innermost_spec.rb">
                <testcase classname="X" name="deepest" time="3"/>
              </testsuite>
            </testsuite>
            <testcase classname="Outer" name="after" time="4"/>
          </testsuite>
        </testsuites>
        """
}
