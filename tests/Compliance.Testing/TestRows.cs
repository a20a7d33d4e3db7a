namespace Compliance.Testing;

/// <summary>The hand-written payroll CSV the integration tests upload: the header they all share.</summary>
public static class TestRows
{
    /// <summary>Payroll columns for the housing fund and pension limits, CRLF-terminated.</summary>
    public const string PayrollHeader = "uscc,period,region,employee_id,wage_base,housing_fund_employer_rate,pension_employer_rate\r\n";
}
