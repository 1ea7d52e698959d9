# One-off backfill used when the CRM was first connected (Python 2.7, run by hand).
# Kept in the bundle for reference; nothing imports it.
import csv
import sys
import urllib2

from mapping import to_contact


def main(path):
    seen = 0
    for row in csv.DictReader(open(path, 'rb')):
        try:
            contact = to_contact({'customer': row})
        except Exception, exc:
            print >> sys.stderr, "skip %s: %s" % (row.get('id'), exc)
            continue
        request = urllib2.Request(sys.argv[2], data=repr(contact))
        urllib2.urlopen(request).read()
        seen += 1
        if seen % 500 == 0:
            print "%d contacts pushed" % seen
    print "done: %d" % seen


if __name__ == '__main__':
    main(sys.argv[1])
