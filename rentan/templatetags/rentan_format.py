"""Template filters for Indonesian formatting; loaded as builtins, so every template has them."""

from django import template

from rentan import formatting

register = template.Library()

register.filter("rupiah", formatting.format_rupiah)
register.filter("angka", formatting.format_number)
register.filter("persen", formatting.format_percent)
register.filter("tanggal", formatting.format_date)
register.filter("tanggal_jam", formatting.format_datetime)
register.filter("bulan", formatting.format_month)
register.filter("nik_samar", formatting.mask_nik)
register.filter("rekening_samar", formatting.mask_account)
register.filter("nama_samar", formatting.mask_name)
