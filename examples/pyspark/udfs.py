"""UDFs shipped with --py-files."""
from pyspark.sql.functions import udf


@udf("string")
def normalize_country(code):
    """Upper-cases a country code."""
    return code.upper() if code else None
