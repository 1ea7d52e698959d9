"""Shell commands printed in the run log so on-call can replay an export by hand."""

import pipes


def replay_command(bucket, key, report_date):
    """The command that re-downloads and re-checks the file this run produced."""
    target = "s3://%s/%s" % (bucket, key)
    local = "sales-%s.csv" % report_date
    return "aws s3 cp %s %s && sha256sum %s" % (
        pipes.quote(target),
        pipes.quote(local),
        pipes.quote(local),
    )
