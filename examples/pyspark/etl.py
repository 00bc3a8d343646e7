"""Aggregates daily events per user (example PySpark application)."""
import argparse

from pyspark.sql import SparkSession

from udfs import normalize_country

parser = argparse.ArgumentParser()
parser.add_argument("--input")
parser.add_argument("--output")
args = parser.parse_args()

spark = SparkSession.builder.appName("events-daily").getOrCreate()
events = spark.read.parquet(args.input)
events = events.withColumn("country", normalize_country(events.country))
events.groupBy("user_id", "country").count().write.mode("overwrite").parquet(args.output)
