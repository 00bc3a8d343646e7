from pyspark.sql import SparkSession
SparkSession.builder.getOrCreate()
