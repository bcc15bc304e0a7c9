"""After the winners' notice: the submission to the government (报批), its approval (批准) with a
document number (文号), the commendation decision (表彰决定) and the winners' list announced to
society (向社会公布), as data, HTML and PDF."""
